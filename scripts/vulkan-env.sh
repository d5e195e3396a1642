# Sourced by the test and bench scripts: point the Vulkan loader at a driver for Dawn (the
# `webgpu` package) when none is configured. On a machine without a GPU that is SwiftShader's
# Vulkan driver, which Debian's chromium package ships (Mesa's lavapipe is rejected by Dawn).
if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -z "${VK_DRIVER_FILES:-}" ]; then
  for icd in /usr/lib/chromium/vk_swiftshader_icd.json \
             $(dpkg -L chromium 2>/dev/null | grep vk_swiftshader_icd.json); do
    if [ -f "$icd" ] && ! ls /usr/share/vulkan/icd.d/nvidia_icd.json >/dev/null 2>&1; then
      export VK_ICD_FILENAMES="$icd"
      break
    fi
  done
fi
# Dawn warns about this on headless machines; harmless, but keep the logs clean.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
