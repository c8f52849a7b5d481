// reference_in_process.h: the reference implementation's driver, linked into the runner.
//
//   InProcessFactories factories = ReferenceFactories();
//   std::unique_ptr<DriverConnection> d = MakeDriver(*registry.Find("reference"), root, factories);
//
// Kept apart from in_process_driver.h so the runner's own tests need not link all of sockref.
#ifndef SOCKREF_CONFORMANCE_REPORT_REFERENCE_IN_PROCESS_H_
#define SOCKREF_CONFORMANCE_REPORT_REFERENCE_IN_PROCESS_H_

#include <memory>

#include "conformance/runner/driver_connection.h"
#include "conformance/runner/implementations.h"

namespace sockref::conformance::runner {

// NewInProcessReferenceDriver returns an InProcessDriver over a fresh ReferenceDriver
// (reference_driver.h) at each Start.
std::unique_ptr<DriverConnection> NewInProcessReferenceDriver();

// ReferenceFactories returns {"reference": NewInProcessReferenceDriver}.
InProcessFactories ReferenceFactories();

}  // namespace sockref::conformance::runner

#endif  // SOCKREF_CONFORMANCE_REPORT_REFERENCE_IN_PROCESS_H_
