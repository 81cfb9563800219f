/** Kiln's autograd engine: backward and forward-mode rules, gradcheck, custom functions. */
module dev.kiln.autograd {
    requires transitive dev.kiln;

    exports dev.kiln.autograd;

    provides dev.kiln.spi.AutogradEngine with dev.kiln.autograd.Engine;
}
