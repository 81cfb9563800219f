/** The consumer as a named module: Kiln's jars are automatic modules named by their manifests. */
module example {
    requires dev.kiln;
    requires dev.kiln.layers;
}
