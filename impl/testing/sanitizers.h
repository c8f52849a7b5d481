// sanitizers.h: which sanitizer this translation unit is compiled under, for test
// and benchmark code that must know (a sanitizer's allocator refuses huge requests
// differently; TSan needs annotations; a sanitized benchmark measures nothing).
//
//   #include "impl/testing/sanitizers.h"
//   #ifdef SOCKREF_SANITIZER_ALLOCATOR
//     GTEST_SKIP() << "the sanitizer's allocator aborts instead of throwing";
//   #endif
//
// Defines, each to 1 and only when it applies:
//   SOCKREF_ASAN                 AddressSanitizer (gcc or clang)
//   SOCKREF_TSAN                 ThreadSanitizer (gcc or clang)
//   SOCKREF_UBSAN                UndefinedBehaviorSanitizer; clang only, as gcc
//                                leaves no trace of -fsanitize=undefined
//   SOCKREF_SANITIZER_ALLOCATOR  ASan or TSan: malloc and new are the sanitizer's
//   SOCKREF_SANITIZED            any of the three
#ifndef SOCKREF_IMPL_TESTING_SANITIZERS_H_
#define SOCKREF_IMPL_TESTING_SANITIZERS_H_

// gcc announces sanitizers with __SANITIZE_*__ macros, clang with __has_feature.
#if defined(__SANITIZE_ADDRESS__)
#define SOCKREF_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SOCKREF_ASAN 1
#endif
#endif

#if defined(__SANITIZE_THREAD__)
#define SOCKREF_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SOCKREF_TSAN 1
#endif
#endif

#if defined(__has_feature)
#if __has_feature(undefined_behavior_sanitizer)
#define SOCKREF_UBSAN 1
#endif
#endif

#if defined(SOCKREF_ASAN) || defined(SOCKREF_TSAN)
#define SOCKREF_SANITIZER_ALLOCATOR 1
#endif

#if defined(SOCKREF_SANITIZER_ALLOCATOR) || defined(SOCKREF_UBSAN)
#define SOCKREF_SANITIZED 1
#endif

#endif  // SOCKREF_IMPL_TESTING_SANITIZERS_H_
