package dev.sparkembed.udfs.model;

/**
 * A registry entry's other precisions on CPU ({@code tiers:}).
 *
 * @param bfloat16Torchscript the mixed-precision TorchScript copy {@code --dtype bfloat16} runs on
 *     PyTorch; relative: under the models root. {@code deploy/models/build_cpu_tiers.sh} builds it.
 * @param int8Model the registry's dynamically quantized model {@code --dtype int8} runs instead
 */
public record Tiers(String bfloat16Torchscript, String int8Model) {}
