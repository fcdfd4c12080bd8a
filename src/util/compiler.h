/* util/compiler.h: attribute macros shared by every module. */
#ifndef ARC_UTIL_COMPILER_H
#define ARC_UTIL_COMPILER_H

#if defined(__GNUC__) || defined(__clang__)
#define ARC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ARC_WUR          __attribute__((warn_unused_result))
#define ARC_NORETURN     __attribute__((noreturn))
#define ARC_MALLOC       __attribute__((malloc))
#else
#define ARC_PRINTF(f, a)
#define ARC_WUR
#define ARC_NORETURN
#define ARC_MALLOC
#endif

#define ARC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
