// This core's fp32 multiply-add peak: twelve independent chains of 512-bit FMAs (enough to cover
// the latency), best of seven, timed by thread CPU time so that other processes do not count.
//   gcc -O3 -mavx512f fma_peak.c -o fma_peak && ./fma_peak
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double thread_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
    __m512 a[12];
    for (int i = 0; i < 12; i++) a[i] = _mm512_set1_ps(0.1f + 0.01f * i);
    const __m512 b = _mm512_set1_ps(0.9999f), c = _mm512_set1_ps(0.0001f);
    const long iterations = 50000000;
    double best = 1e9;
    for (int round = 0; round < 7; round++) {
        double start = thread_seconds();
        for (long i = 0; i < iterations; i++) {
            // Unrolled by hand so that the twelve accumulators stay in registers.
            a[0] = _mm512_fmadd_ps(a[0], b, c), a[1] = _mm512_fmadd_ps(a[1], b, c);
            a[2] = _mm512_fmadd_ps(a[2], b, c), a[3] = _mm512_fmadd_ps(a[3], b, c);
            a[4] = _mm512_fmadd_ps(a[4], b, c), a[5] = _mm512_fmadd_ps(a[5], b, c);
            a[6] = _mm512_fmadd_ps(a[6], b, c), a[7] = _mm512_fmadd_ps(a[7], b, c);
            a[8] = _mm512_fmadd_ps(a[8], b, c), a[9] = _mm512_fmadd_ps(a[9], b, c);
            a[10] = _mm512_fmadd_ps(a[10], b, c), a[11] = _mm512_fmadd_ps(a[11], b, c);
        }
        double elapsed = thread_seconds() - start;
        if (elapsed < best) best = elapsed;
    }
    float sum = 0;
    for (int i = 0; i < 12; i++) sum += _mm512_reduce_add_ps(a[i]);
    // 12 FMAs × 16 lanes × 2 flops per iteration.
    printf("fp32 FMA peak, one thread: %.1f GFLOP/s (checksum %g)\n", iterations * 12.0 * 32 / best / 1e9, sum);
    return 0;
}
