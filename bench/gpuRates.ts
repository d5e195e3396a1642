// Peak rates of a GPU for the benchmarks' floors (the least time the work could take on it).

export interface GpuRates {
  fp32Tflops: number;
  bandwidthGBs: number;
}

/** Published peak rates (dense fp32, no tensor cores) of GPUs this project has been lent. */
const GPU_RATES: [RegExp, GpuRates][] = [
  [/H100.*PCIe/i, { fp32Tflops: 51.2, bandwidthGBs: 2000 }],
  [/H100/i, { fp32Tflops: 66.9, bandwidthGBs: 3350 }],
  [/H200/i, { fp32Tflops: 66.9, bandwidthGBs: 4800 }],
];

/**
 * The rates set by BENCH_FP32_TFLOPS (and BENCH_BANDWIDTH_GBS, default 1000) when given, else
 * those of the first GPU in GPU_RATES whose name `adapter` matches; null for an unknown adapter.
 */
export function knownGpuRates(adapter: string): GpuRates | null {
  const env = process.env;
  return env.BENCH_FP32_TFLOPS
    ? {
        fp32Tflops: Number(env.BENCH_FP32_TFLOPS),
        bandwidthGBs: Number(env.BENCH_BANDWIDTH_GBS ?? 1000),
      }
    : (GPU_RATES.find(([re]) => re.test(adapter))?.[1] ?? null);
}
