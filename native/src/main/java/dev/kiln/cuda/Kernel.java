package dev.kiln.cuda;

/** A loaded kernel: its module, its name and the device API's handle for it. */
record Kernel(String module, String name, Object handle) {
}
