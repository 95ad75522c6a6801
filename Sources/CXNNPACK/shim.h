#ifndef SCENOPHONE_CXNNPACK_SHIM_H
#define SCENOPHONE_CXNNPACK_SHIM_H

// XNNPACK (Debian libxnnpack-dev), the thread pool it runs on (libpthreadpool-dev), and cpuinfo
// (libcpuinfo-dev), through which XNNPACK learns the CPU's instruction sets (cpuid on x86-64,
// getauxval on aarch64) when it initialises. None of them ships a pkg-config file.
#include <stdbool.h>
#include <stdint.h>
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

/// Whether the CPU is an AMD Zen (family 17h or later: Zen 1 to Zen 5), from the first core's cpuid.
static inline bool scenophone_is_amd_zen(void) {
#if CPUINFO_ARCH_X86_64
    if (!cpuinfo_initialize() || cpuinfo_get_cores_count() == 0) return false;
    const struct cpuinfo_core *core = cpuinfo_get_core(0);
    if (core->vendor != cpuinfo_vendor_amd) return false;
    uint32_t family = (core->cpuid >> 8) & 0xF;
    if (family == 0xF) family += (core->cpuid >> 20) & 0xFF;
    return family >= 0x17;
#else
    return false;
#endif
}

/// Tells XNNPACK every core is a first-generation Zen, so that its AVX2 path uses the f32 GEMM
/// kernels it tuned for Zen (4×16, 4-way shuffled) rather than its default (5×16 broadcast).
///
/// Debian's 2022 XNNPACK picks those kernels only for `cpuinfo_uarch_zen` (and Hygon's Dhyana);
/// on a Zen 3 (which cpuinfo names `zen3`) it took the default, and the network's 1×1 convolutions
/// ran at 33–38 GFLOP/s: 22.4 ms for EfficientNet-Lite0 at one thread (ONNX Runtime: 12.0 ms);
/// named a Zen, 12.0 ms (the golden tensors within 7e-6 either way). The microarchitecture decides
/// nothing else in this XNNPACK's x86 initialisation. Only the AVX2 path: on AVX-512 XNNPACK's
/// choice does not depend on it. Call before xnn_initialize.
///
/// - Returns: whether the cores were renamed (an AMD Zen on the AVX2 path).
static inline bool scenophone_prefer_zen_kernels(int level) {
#if CPUINFO_ARCH_X86_64
    if (level != SCENOPHONE_ISA_AVX2 || !scenophone_is_amd_zen()) return false;
    for (uint32_t i = 0; i < cpuinfo_get_cores_count(); i++) {
        ((struct cpuinfo_core *)cpuinfo_get_core(i))->uarch = cpuinfo_uarch_zen;
    }
    return true;
#else
    (void)level;
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
