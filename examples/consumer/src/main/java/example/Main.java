package example;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.DeviceUnavailableException;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.data.DataLoader;
import dev.kiln.data.TensorDataset;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.loss.CrossEntropyLoss;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;

/** Fits two noisy blobs with a small MLP on the CPU and prints the accuracy: the whole library path, no flags. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Generator g = new Generator(0);
        int n = 256;
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
        }
        Tensor y = Tensor.fromArray(labels, n);                                                  // (n) int64
        Tensor x = Tensor.randn(g, n, 2).add(y.to(DType.FLOAT32).mul(3).unsqueeze(1));           // (n, 2): blobs 3 apart
        Sequential model = new Sequential(new Linear(2, 16, g), new ReLU(), new Linear(16, 2, g));
        Optimizer opt = Adam.adam(model.parameters(), 1e-2);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        DataLoader loader = DataLoader.builder(new TensorDataset(x, y)).batchSize(32).shuffle(true).generator(g).build();
        for (int epoch = 0; epoch < 20; epoch++) {
            for (Tensor[] batch : loader) {
                opt.zeroGrad();
                ce.forward(model.forward(batch[0]), batch[1]).backward();
                opt.step();
            }
        }
        double accuracy = model.forward(x).argmax(1).eq(y).to(DType.FLOAT64).mean().item();
        String path = Main.class.getModule().isNamed() ? "the module path" : "the class path";
        Module kiln = Tensor.class.getModule();
        if (kiln.isNamed() && (kiln.getDescriptor().isAutomatic() || kiln.isExported("dev.kiln.spi", Main.class.getModule()))) {
            throw new AssertionError("dev.kiln is not an explicit module that keeps its backend SPI to the backends");
        }
        System.out.printf("consumer: accuracy %.3f on %s%n", accuracy, path);
        if (accuracy < 0.9) {
            throw new AssertionError("the model did not learn: accuracy " + accuracy);
        }
        Tensor predicted = model.forward(x).argmax(1);
        try {
            Device emu = Device.parse("cuda-emu:0");                                          // kiln-native, found at run time
            Sequential moved = model.to(emu);
            Tensor onEmu = moved.forward(x.to(emu)).argmax(1).to(Device.CPU);
            if (onEmu.ne(predicted).sum().item() != 0) {
                throw new AssertionError("cuda-emu predicts otherwise than the cpu");
            }
            System.out.println("consumer: cuda-emu predicts as the cpu does");
        } catch (DeviceUnavailableException e) {
            System.out.println("consumer: cuda-emu unavailable: " + e.getMessage());
        }
    }
}
