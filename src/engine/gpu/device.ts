// Adapter and device: which features and limits the engine asks for, and the memory budgets
// derived from them. Everything here happens once, in GpuEngine.create.

import { EngineError } from '../types';

/** The weight store never holds more than this, whatever the device offers. */
export const STORE_CAP_BYTES = 2 ** 30;
/**
 * Nor more than this fraction of maxBufferSize: WebGPU does not say how much memory a device
 * has, and the largest buffer it allows is the only hint (state buffers need the rest).
 */
export const STORE_LIMIT_FRACTION = 0.5;
/** Keep each hidden-state buffer under this, splitting directions into batches if needed. */
export const STATE_BUFFER_BUDGET = 256 * 2 ** 20;

export interface GpuEngineOptions {
  powerPreference?: GPUPowerPreference;
  /** Called once if the device is lost after creation (the engine is then unusable). */
  onDeviceLost?: (message: string) => void;
  /**
   * Bytes the weight store may hold. Default min(STORE_CAP_BYTES, STORE_LIMIT_FRACTION ×
   * maxBufferSize); 0 generates every matrix inside the product kernels.
   */
  storeBudgetBytes?: number;
  /**
   * Ask for the largest buffers the adapter offers (default). false keeps WebGPU's default
   * limits (128 MiB per storage binding), as a browser that grants no more would.
   */
  requestAdapterLimits?: boolean;
  /** Time the lane pass's kernels with timestamp queries when the adapter can (default true). */
  timestamps?: boolean;
}

/** What the engine got from the adapter. */
export interface DeviceSetup {
  adapter: GPUAdapter;
  device: GPUDevice;
  /** The 'timestamp-query' feature was granted. */
  timestamps: boolean;
  storeBudgetBytes: number;
}

export async function openDevice(
  gpu: GPU | undefined,
  options: GpuEngineOptions,
): Promise<DeviceSetup> {
  if (!gpu)
    throw new EngineError('unsupported', 'This browser has no WebGPU (navigator.gpu is missing)');
  const adapter = await gpu.requestAdapter({
    powerPreference: options.powerPreference ?? 'high-performance',
  });
  if (!adapter)
    throw new EngineError('no-adapter', 'WebGPU is present but no adapter is available');
  const timestamps = options.timestamps !== false && adapter.features.has('timestamp-query');
  const requiredFeatures: GPUFeatureName[] = timestamps ? ['timestamp-query'] : [];
  const device = await adapter.requestDevice({
    label: 'GpuEngine.device',
    requiredFeatures,
    requiredLimits:
      options.requestAdapterLimits === false
        ? {}
        : {
            maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
            maxBufferSize: adapter.limits.maxBufferSize,
          },
  });
  const storeBudgetBytes =
    options.storeBudgetBytes ??
    Math.min(STORE_CAP_BYTES, Math.floor(STORE_LIMIT_FRACTION * device.limits.maxBufferSize));
  return { adapter, device, timestamps, storeBudgetBytes };
}

/** The largest single buffer a kernel can bind as storage on this device, and that limit's name. */
export function storageLimit(limits: GPUSupportedLimits): { bytes: number; name: string } {
  return limits.maxBufferSize < limits.maxStorageBufferBindingSize
    ? { bytes: limits.maxBufferSize, name: 'maxBufferSize' }
    : { bytes: limits.maxStorageBufferBindingSize, name: 'maxStorageBufferBindingSize' };
}

export function describeAdapter(adapter: GPUAdapter): string {
  const info = adapter.info;
  const parts = [info.description || info.device, info.vendor, info.architecture].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : 'unknown WebGPU adapter';
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (bytes >= 2 ** 10) return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
  return `${bytes} B`;
}
