package dev.kiln.cuda;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Every extern "C" kernel of kernels/src/main/cuda, by family (the .cu file). A name ending in
 * {@code _f64} lives in the family's f64 module (compiled with KILN_F64), the others in the family's
 * module, as both builds split them. KernelTableTest checks this table against the .cu sources, the
 * fatbins and the emulator's modules, so a launcher cannot ask for a kernel that is not built.
 */
final class KernelTable {
    private static final Map<String, List<String>> FAMILIES = Map.ofEntries(
            Map.entry("attention", List.of(
                    "attention_fwd_d32_f32", "attention_fwd_d64_f32", "attention_fwd_d128_f32", "attention_bwd_prep_f32",
                    "attention_bwd_dkdv_d32_f32", "attention_bwd_dkdv_d64_f32", "attention_bwd_dkdv_d128_f32",
                    "attention_bwd_dq_d32_f32", "attention_bwd_dq_d64_f32", "attention_bwd_dq_d128_f32",
                    "attention_fwd_d32_f64", "attention_fwd_d64_f64", "attention_fwd_d128_f64", "attention_bwd_prep_f64",
                    "attention_bwd_dkdv_d32_f64", "attention_bwd_dkdv_d64_f64", "attention_bwd_dkdv_d128_f64",
                    "attention_bwd_dq_d32_f64", "attention_bwd_dq_d64_f64", "attention_bwd_dq_d128_f64")),
            Map.entry("batch_norm", List.of(
                    "batch_norm_elemt_f32", "batch_norm_bwdelemt_f32", "batch_norm_stats_onf32_f64", "batch_norm_stats_f64",
                    "batch_norm_bwdreduce_onf32_f64", "batch_norm_bwdreduce_f64", "batch_norm_elemt_f64",
                    "batch_norm_bwdelemt_f64")),
            Map.entry("compare", List.of(
                    "compare_strided_f32", "where_strided_f32", "compare_strided_i64", "where_strided_i64",
                    "compare_strided_b8", "where_strided_b8", "compare_strided_f64", "where_strided_f64")),
            Map.entry("conv2d", List.of(
                    "conv2d_fwd_f32", "conv2d_bwdinput_f32", "conv2d_bwdweight_f32", "conv2d_fwdnarrow_f32",
                    "conv2d_bwdinputnarrow_f32", "conv2d_bwdweightnarrow_f32", "conv2d_sumsplits_f32", "conv2d_dwfwd_f32",
                    "conv2d_dwbwdinput_f32", "conv2d_dwbwdweight_f32",
                    "conv2d_fwd_f64", "conv2d_bwdinput_f64", "conv2d_bwdweight_f64", "conv2d_fwdnarrow_f64",
                    "conv2d_bwdinputnarrow_f64", "conv2d_bwdweightnarrow_f64", "conv2d_sumsplits_f64", "conv2d_dwfwd_f64",
                    "conv2d_dwbwdinput_f64", "conv2d_dwbwdweight_f64")),
            Map.entry("copy", List.of(
                    "copy_strided_f32", "copy_strided_i64", "copy_strided_b8", "fill_contig_f32", "fill_contig_i64",
                    "fill_contig_b8", "copy_strided_f64", "fill_contig_f64",
                    "copy_contig_f32", "copy_contig_i64", "copy_contig_b8", "copy_contig_f64",
                    "arange_f64", "arange_tof32_f64", "arange_toi64_f64", "arange_tob8_f64",
                    "cast_f32tof64_f64", "cast_f32toi64_f64", "cast_f32tob8_f64", "cast_f64tof32_f64", "cast_f64toi64_f64",
                    "cast_f64tob8_f64", "cast_i64tof32_f64", "cast_i64tof64_f64", "cast_i64tob8_f64", "cast_b8tof32_f64",
                    "cast_b8tof64_f64", "cast_b8toi64_f64",
                    "copy_strided_u16", "copy_contig_u16", "fill_contig_u16", "arange_tobf16_f64", "arange_tof16_f64",
                    "cast_bf16tof32_f64", "cast_bf16tof64_f64", "cast_bf16toi64_f64", "cast_bf16tob8_f64", "cast_bf16tof16_f64",
                    "cast_f16tof32_f64", "cast_f16tof64_f64", "cast_f16toi64_f64", "cast_f16tob8_f64", "cast_f16tobf16_f64",
                    "cast_f32tobf16_f64", "cast_f64tobf16_f64", "cast_i64tobf16_f64", "cast_b8tobf16_f64",
                    "cast_f32tof16_f64", "cast_f64tof16_f64", "cast_i64tof16_f64", "cast_b8tof16_f64")),
            Map.entry("elementwise", List.of(
                    "unary_strided_f32", "binary_strided_f32", "unary_strided_i64", "binary_strided_i64",
                    "unary_strided_b8", "binary_strided_b8", "unary_strided_f64", "binary_strided_f64",
                    "unary_contig_f32", "binary_contig_f32", "unary_contig_i64", "binary_contig_i64",
                    "unary_contig_b8", "binary_contig_b8", "unary_contig_f64", "binary_contig_f64")),
            Map.entry("gemm", List.of("gemm_128x128_f32", "gemm_64x64_f32", "gemm_64x64_f64", "gemm_32x32_f64")),
            Map.entry("index", List.of(
                    "index_check_i64", "gather_f32", "gather_i64", "gather_b8", "scatter_add_f32", "scatter_add_i64",
                    "gather_f64", "scatter_add_f64")),
            Map.entry("optim", List.of("sgd_step_f32", "adam_step_f32", "sgd_step_f64", "adam_step_f64")),
            Map.entry("pool2d", List.of(
                    "maxpool2d_fwd_f32", "maxpool2d_index_check_i64", "maxpool2d_bwd_f32", "avgpool2d_fwd_f32",
                    "avgpool2d_bwd_f32", "maxpool2d_fwd_f64", "maxpool2d_bwd_f64", "avgpool2d_fwd_f64", "avgpool2d_bwd_f64")),
            Map.entry("random", List.of(
                    "uniform_tof32_f64", "uniform_f64", "normal_tof32_f64", "normal_f64", "dropout_onf32_f64", "dropout_f64")),
            Map.entry("reduce", List.of(
                    "reduce_rows_f32", "argreduce_rows_f32", "var_rows_f32", "var_chunks_f32", "var_merge_f32",
                    "reduce_rows_i64", "argreduce_rows_i64", "reduce_rows_f64", "argreduce_rows_f64", "var_rows_f64",
                    "var_chunks_f64", "var_merge_f64")),
            Map.entry("softmax", List.of(
                    "softmax_warp_f32", "softmax_block_f32", "softmax_bwdwarp_f32", "softmax_bwdblock_f32",
                    "softmax_warp_f64", "softmax_block_f64", "softmax_bwdwarp_f64", "softmax_bwdblock_f64",
                    "softmax_rows4_f32", "softmax_rows8_f32", "softmax_rows16_f32", "softmax_rows32_f32",
                    "softmax_rows4_f64", "softmax_rows8_f64", "softmax_rows16_f64")),
            Map.entry("sparse", List.of("spmm_csr_f32", "sampled_mm_f32", "spmm_csr_f64", "sampled_mm_f64")));

    /** Module name -> its kernels. */
    private static final Map<String, Set<String>> MODULES = FAMILIES.entrySet().stream()
            .flatMap(f -> f.getValue().stream().map(k -> Map.entry(moduleOf(f.getKey(), k), k)))
            .collect(Collectors.collectingAndThen(Collectors.groupingBy(Map.Entry::getKey, TreeMap::new,
                    Collectors.mapping(Map.Entry::getValue, Collectors.toUnmodifiableSet())), Collections::unmodifiableMap));

    private KernelTable() {
    }

    /** The module of family's kernel {@code name}: the f64 module for the f64 entries. */
    static String moduleOf(String family, String name) {
        return name.endsWith("_f64") ? family + "_f64" : family;
    }

    /** The families (the .cu files' names). */
    static Set<String> families() {
        return FAMILIES.keySet();
    }

    /** Module name -> the kernels it holds. */
    static Map<String, Set<String>> modules() {
        return MODULES;
    }

    /** Throws unless module holds kernel {@code name}. */
    static void require(String module, String name) {
        if (!MODULES.getOrDefault(module, Set.of()).contains(name)) {
            throw new IllegalStateException("cuda: kernel module " + module + " has no kernel " + name + " (see KernelTable)");
        }
    }
}
