/* SPDX-License-Identifier: GPL-2.0 */
/* range-checked number parsing and kernel module names */
#ifndef MG_PARSE_H
#define MG_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

#include "modguard_abi.h" /* MG_MODULE_NAME_LEN: 55 characters + NUL */

/*
 * Parse s as an unsigned number in [min, max]: decimal ("007" is 7, not
 * octal) or 0x/0X-prefixed hex. No sign, no whitespace, no suffix.
 * Returns 0, -EINVAL (empty, junk, NULL) or -ERANGE (overflow or outside
 * [min, max]); *out is only written on success.
 */
int mg_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* same for signed decimal, optional leading '-' */
int mg_parse_s64(const char *s, int64_t min, int64_t max, int64_t *out);

/*
 * Parse a duration in seconds with an optional fraction of up to three
 * digits ("10", "0.5", "1.250") into milliseconds, at most max_ms.
 * More precise fractions are refused rather than rounded: -EINVAL.
 */
int mg_parse_seconds(const char *s, uint64_t max_ms, uint64_t *ms);

/* 1 if name is 1..MG_MODULE_NAME_LEN - 1 characters of [A-Za-z0-9_-] */
int mg_module_name_valid(const char *name);
/* '-' to '_', the way kmod and the kernel compare module names */
void mg_module_name_normalize(char *name);
/* 1 if a and b name the same module: equal but for '-' == '_' (as kmod) */
int mg_module_name_eq(const char *a, const char *b);

/*
 * The module an rmmod argument names, as kmod's rmmod reads it: a name
 * ("foo-bar"), a file name ("foo.ko", "foo.ko.xz", ".gz", ".zst") or a
 * path to one ("/lib/modules/.../foo-bar.ko"; it need not exist): the
 * last path component, without the .ko and compression suffix, '-' to
 * '_'.  Aliases are not resolved (rmmod does not either).  The name goes
 * to out (at least MG_MODULE_NAME_LEN bytes).  Returns 0, or -EINVAL
 * when what is left is not a valid module name (mg_module_name_valid()).
 */
int mg_module_name_from_arg(const char *arg, char *out, size_t len);

#endif /* MG_PARSE_H */
