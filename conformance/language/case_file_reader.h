// case_file_reader.h (private to case_parser): reads a `.cases` file safely.
#ifndef SOCKREF_CONFORMANCE_LANGUAGE_CASE_FILE_READER_H_
#define SOCKREF_CONFORMANCE_LANGUAGE_CASE_FILE_READER_H_

#include <string>

namespace sockref::conformance::language_internal {

// ReadCaseFileText reads the regular file at `path`. A FIFO or a device named `*.cases` is refused
// before it is read (opened without blocking, checked with fstat): it could block for ever or
// grow without bound. Fails with CaseParseError(path, 0, why).
std::string ReadCaseFileText(const std::string& path);

}  // namespace sockref::conformance::language_internal

#endif  // SOCKREF_CONFORMANCE_LANGUAGE_CASE_FILE_READER_H_
