/* The C side of package secp256k1: libsecp256k1 0.2.0, compiled into the
 * package by libsecp256k1.c, and the functions below built on it. Every
 * function verifies BIP340 signatures with the library's static context
 * (verification needs no context of its own), so all are safe to call from
 * any number of threads at once; none keeps a pointer it is given.
 *
 * A check is 128 bytes in a row, the layout of policy.SigCheck: the x-only
 * key (32), the message (32), the signature (64). */

#ifndef BALLAST_SECP256K1_H
#define BALLAST_SECP256K1_H

#include <stddef.h>

/* ballast_secp256k1_init runs the library's self test (its SHA-256
 * against a known answer): 1 when it passes. */
int ballast_secp256k1_init(void);

/* ballast_secp256k1_verify is BIP340 Verify(pub32, msg32, sig64): 1 or
 * 0. */
int ballast_secp256k1_verify(const unsigned char *pub32, const unsigned char *msg32,
                             const unsigned char *sig64);

/* ballast_secp256k1_verify_each verifies the n checks one by one: 1 when
 * all do (also when n is 0). */
int ballast_secp256k1_verify_each(const unsigned char *checks, size_t n);

/* ballast_secp256k1_verify_batch verifies the n checks together, by BIP340
 * batch verification with weights derived from salt32 and the checks: 1
 * when all verify, wrongly with probability below 2^-128; 0 when any does
 * not. It allocates about 1 KiB per check (4.6 KiB below 44 checks, 200
 * KiB at most there), and more than BALLAST_SECP256K1_BATCH_MAX checks are
 * refused (0): the caller splits. */
int ballast_secp256k1_verify_batch(const unsigned char *salt32, const unsigned char *checks,
                                   size_t n);

#define BALLAST_SECP256K1_BATCH_MAX 1000000

#endif
