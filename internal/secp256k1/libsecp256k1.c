//go:build cgo && libsecp256k1

/* libsecp256k1 0.2.0, compiled as part of this package in one translation
 * unit, and BIP340 batch verification on its internal multi-scalar
 * multiplication (secp256k1_ecmult_multi_var), which 0.2.0's public API
 * does not offer. scripts/install-deps.sh unpacks the library's source in
 * csrc/; the Go side's CFLAGS put it on the include path. */

#if defined(__has_include)
#if !__has_include("src/secp256k1.c")
#error "libsecp256k1 0.2.0's source is not in internal/secp256k1/csrc/: run scripts/install-deps.sh, or build without the libsecp256k1 tag"
#endif
#endif

/* The configuration of Debian's build of 0.2.0 (its configure's
 * defaults) for the two modules BIP340 needs, but without
 * USE_ASM_X86_64: the field arithmetic in C, on 128-bit integers, verifies
 * about 8% faster than the library's x86-64 assembly on the project's
 * machine (with gcc 12). */
#define ENABLE_MODULE_EXTRAKEYS 1
#define ENABLE_MODULE_SCHNORRSIG 1
#define ECMULT_WINDOW_SIZE 15
#define ECMULT_GEN_PREC_BITS 4

/* Under -Wall (from CGO_CFLAGS, say) the library's files warn about the
 * static functions this build does not call; its own build turns that
 * warning off too (-Wno-unused-function). Only for its files. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#include "src/secp256k1.c"
#include "src/precomputed_ecmult.c"
#include "src/precomputed_ecmult_gen.c"
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include <string.h>

#include "ballast_secp256k1.h"

#define CHECK_SIZE 128

int ballast_secp256k1_init(void) {
    return secp256k1_selftest_passes();
}

int ballast_secp256k1_verify(const unsigned char *pub32, const unsigned char *msg32,
                             const unsigned char *sig64) {
    secp256k1_xonly_pubkey pk;
    if (!secp256k1_xonly_pubkey_parse(secp256k1_context_static, &pk, pub32)) {
        return 0;
    }
    return secp256k1_schnorrsig_verify(secp256k1_context_static, sig64, msg32, 32, &pk);
}

int ballast_secp256k1_verify_each(const unsigned char *checks, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        const unsigned char *c = checks + CHECK_SIZE * i;
        if (!ballast_secp256k1_verify(c, c + 32, c + 64)) {
            return 0;
        }
    }
    return 1;
}

/* Out of memory is not an error here: the caller falls back to verifying
 * one by one. The library's default error callback would abort. */
static void ballast_quiet_callback_fn(const char *text, void *data) {
    (void)text;
    (void)data;
}

static const secp256k1_callback ballast_quiet_callback = {ballast_quiet_callback_fn, NULL};

/* The 2n points and scalars of the batch equation, handed to
 * secp256k1_ecmult_multi_var one at a time by ballast_batch_term. */
struct ballast_batch_terms {
    secp256k1_ge *points;
    secp256k1_scalar *scalars;
};

static int ballast_batch_term(secp256k1_scalar *sc, secp256k1_ge *pt, size_t idx, void *data) {
    const struct ballast_batch_terms *t = data;
    *sc = t->scalars[idx];
    *pt = t->points[idx];
    return 1;
}

/* ballast_scratch_size is what secp256k1_ecmult_multi_var needs to add up
 * n_points points in one pass, by the algorithm it picks for that many
 * (Strauss below ECMULT_PIPPENGER_THRESHOLD, 88 points, Pippenger from
 * there): the algorithm's own size plus alignment padding for each of its
 * allocations. About 4.4 KiB per check (two points) under Strauss, 0.8 KiB
 * under Pippenger. Checked when this was written, for every batch up to
 * 20,000 checks, by asking the library's
 * secp256k1_{strauss,pippenger}_max_points about such a space. */
static size_t ballast_scratch_size(size_t n_points) {
    if (n_points < ECMULT_PIPPENGER_THRESHOLD) {
        return secp256k1_strauss_scratch_size(n_points) + STRAUSS_SCRATCH_OBJECTS * ALIGNMENT;
    }
    return secp256k1_pippenger_scratch_size(n_points, secp256k1_pippenger_bucket_window(n_points)) +
           PIPPENGER_SCRATCH_OBJECTS * ALIGNMENT;
}

/* ballast_weight sets a to the weight of check i >= 1: the last 16 bytes
 * of SHA256(seed || i as 8 bytes little-endian), a 128-bit number. */
static void ballast_weight(secp256k1_scalar *a, const unsigned char *seed32, size_t i) {
    secp256k1_sha256 h;
    unsigned char buf[32];
    unsigned char ib[8];
    int k;
    for (k = 0; k < 8; k++) {
        ib[k] = (unsigned char)((unsigned long long)i >> (8 * k));
    }
    secp256k1_sha256_initialize(&h);
    secp256k1_sha256_write(&h, seed32, 32);
    secp256k1_sha256_write(&h, ib, sizeof(ib));
    secp256k1_sha256_finalize(&h, buf);
    memset(buf, 0, 16);
    secp256k1_scalar_set_b32(a, buf, NULL);
}

/* Batch verification (BIP340, "Batch Verification"): check i has key P_i
 * (lifted from its x with even y), R_i (lifted from r_i likewise), s_i and
 * challenge e_i = hash_BIP0340/challenge(r_i || P_i || m_i). All verify
 * when
 *
 *   (sum a_i s_i) G - sum a_i R_i - sum (a_i e_i) P_i = infinity
 *
 * for a_0 = 1 and a_i, i >= 1, the weights of ballast_weight under seed =
 * SHA256(salt32 || the checks' bytes). A check failing its own equation,
 * s_i G != R_i + e_i P_i, makes the sum infinity for at most one of the
 * 2^128 values of its weight, which nobody choosing the checks can aim for
 * without the salt (and, even knowing it, only by trying hashes): 2^-128,
 * the curve's own security level, as with the 128-bit weights of the
 * batch verification literature (BIP340 draws them mod n). The
 * range and curve checks that the equation does not cover fail the batch
 * at once. */
int ballast_secp256k1_verify_batch(const unsigned char *salt32, const unsigned char *checks,
                                   size_t n) {
    struct ballast_batch_terms terms;
    secp256k1_scratch *scratch;
    secp256k1_scalar gsum;
    secp256k1_sha256 h;
    secp256k1_gej sum;
    unsigned char seed[32];
    size_t i;
    int ok = 1;

    if (n == 0) {
        return 1;
    }
    if (n > BALLAST_SECP256K1_BATCH_MAX) {
        return 0;
    }
    terms.points = malloc(2 * n * sizeof(secp256k1_ge));
    terms.scalars = malloc(2 * n * sizeof(secp256k1_scalar));
    scratch = secp256k1_scratch_create(&ballast_quiet_callback, ballast_scratch_size(2 * n));
    if (terms.points == NULL || terms.scalars == NULL || scratch == NULL) {
        free(terms.points);
        free(terms.scalars);
        if (scratch != NULL) {
            secp256k1_scratch_destroy(&ballast_quiet_callback, scratch);
        }
        return ballast_secp256k1_verify_each(checks, n);
    }

    secp256k1_sha256_initialize(&h);
    secp256k1_sha256_write(&h, salt32, 32);
    secp256k1_sha256_write(&h, checks, CHECK_SIZE * n);
    secp256k1_sha256_finalize(&h, seed);

    secp256k1_scalar_set_int(&gsum, 0);
    for (i = 0; i < n; i++) {
        const unsigned char *pub = checks + CHECK_SIZE * i;
        const unsigned char *msg = pub + 32;
        const unsigned char *sig = pub + 64;
        secp256k1_fe rx, px;
        secp256k1_scalar s, e, a, t;
        int overflow;

        /* BIP340's failures before the equation: r >= p, s >= n, a key
         * x >= p or off the curve. An r off the curve fails the equation
         * in single verification; here there is no R_i to add without
         * it. */
        if (!secp256k1_fe_set_b32(&rx, sig)) {
            ok = 0;
            break;
        }
        secp256k1_scalar_set_b32(&s, sig + 32, &overflow);
        if (overflow) {
            ok = 0;
            break;
        }
        if (!secp256k1_fe_set_b32(&px, pub) || !secp256k1_ge_set_xo_var(&terms.points[2 * i + 1], &px, 0)) {
            ok = 0;
            break;
        }
        if (!secp256k1_ge_set_xo_var(&terms.points[2 * i], &rx, 0)) {
            ok = 0;
            break;
        }
        /* The key bytes are canonical (below p), so they are P_i's x as
         * the challenge hashes it. */
        secp256k1_schnorrsig_challenge(&e, sig, msg, 32, pub);

        if (i == 0) {
            secp256k1_scalar_set_int(&a, 1);
        } else {
            ballast_weight(&a, seed, i);
        }
        secp256k1_scalar_mul(&t, &a, &s);
        secp256k1_scalar_add(&gsum, &gsum, &t);
        /* -a_i R_i as a_i (-R_i): the scalar stays 128 bits, so the
         * endomorphism mostly splits it into one half and a zero the
         * multiplication skips (16% less multiplication than with
         * n - a_i). */
        secp256k1_ge_neg(&terms.points[2 * i], &terms.points[2 * i]);
        terms.scalars[2 * i] = a;
        secp256k1_scalar_mul(&t, &a, &e);
        secp256k1_scalar_negate(&terms.scalars[2 * i + 1], &t);
    }
    if (ok) {
        /* With the scratch space of ballast_scratch_size it adds up all
         * 2n points in one pass. (Short of space it would take several, or
         * fail: a 0, never a wrong 1.) */
        ok = secp256k1_ecmult_multi_var(&ballast_quiet_callback, scratch, &sum, &gsum, ballast_batch_term,
                                        &terms, 2 * n) &&
             secp256k1_gej_is_infinity(&sum);
    }
    secp256k1_scratch_destroy(&ballast_quiet_callback, scratch);
    free(terms.points);
    free(terms.scalars);
    return ok;
}
