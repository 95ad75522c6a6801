#ifndef SCENOPHONE_CXNNPACK_SHIM_H
#define SCENOPHONE_CXNNPACK_SHIM_H

// XNNPACK (Debian libxnnpack-dev), the thread pool it runs on (libpthreadpool-dev), and cpuinfo
// (libcpuinfo-dev), through which XNNPACK learns the CPU's instruction sets (cpuid on x86-64,
// getauxval on aarch64) when it initialises. None of them ships a pkg-config file.
#include <stdbool.h>
#include <cpuinfo.h>
#include <pthreadpool.h>
#include <xnnpack.h>

// Instruction-set levels for scenophone_limit_isa.
#define SCENOPHONE_ISA_PORTABLE 0
#define SCENOPHONE_ISA_AVX2 1
#define SCENOPHONE_ISA_AVX512 2

/// Whether this CPU has the instructions XNNPACK's AVX2 kernels need (AVX2, FMA3, F16C).
static inline bool scenophone_has_avx2(void) {
#if CPUINFO_ARCH_X86_64
    return cpuinfo_initialize() && cpuinfo_has_x86_avx2() && cpuinfo_has_x86_fma3() && cpuinfo_has_x86_f16c();
#else
    return false;
#endif
}

/// Whether this CPU has the instructions XNNPACK's AVX-512 kernels need (F, BW, DQ, VL).
static inline bool scenophone_has_avx512(void) {
#if CPUINFO_ARCH_X86_64
    return scenophone_has_avx2() && cpuinfo_has_x86_avx512f() && cpuinfo_has_x86_avx512bw()
        && cpuinfo_has_x86_avx512dq() && cpuinfo_has_x86_avx512vl();
#else
    return false;
#endif
}

/// Hides every instruction set above `level` from cpuinfo, so that XNNPACK, which reads cpuinfo's
/// flags once in xnn_initialize, installs the kernels of that level. Call before xnn_initialize.
///
/// The portable level is the architecture's baseline: SSE2 on x86-64, NEON on aarch64 (whose
/// optional extensions only matter to XNNPACK's fp16 and int8 kernels, never to fp32).
static inline bool scenophone_limit_isa(int level) {
    if (!cpuinfo_initialize()) return false;
#if CPUINFO_ARCH_X86_64
    if (level < SCENOPHONE_ISA_AVX512) {
        cpuinfo_isa.avx512f = cpuinfo_isa.avx512pf = cpuinfo_isa.avx512er = cpuinfo_isa.avx512cd = false;
        cpuinfo_isa.avx512dq = cpuinfo_isa.avx512bw = cpuinfo_isa.avx512vl = cpuinfo_isa.avx512ifma = false;
        cpuinfo_isa.avx512vbmi = cpuinfo_isa.avx512vbmi2 = cpuinfo_isa.avx512bitalg = false;
        cpuinfo_isa.avx512vpopcntdq = cpuinfo_isa.avx512vnni = cpuinfo_isa.avx512bf16 = false;
        cpuinfo_isa.avx512vp2intersect = cpuinfo_isa.avx512_4vnniw = cpuinfo_isa.avx512_4fmaps = false;
    }
    if (level < SCENOPHONE_ISA_AVX2) {
        cpuinfo_isa.sse3 = cpuinfo_isa.ssse3 = cpuinfo_isa.sse4_1 = cpuinfo_isa.sse4_2 = false;
        cpuinfo_isa.avx = cpuinfo_isa.fma3 = cpuinfo_isa.fma4 = cpuinfo_isa.xop = false;
        cpuinfo_isa.f16c = cpuinfo_isa.avx2 = false;
    }
#else
    (void)level;
#endif
    return true;
}

#endif
