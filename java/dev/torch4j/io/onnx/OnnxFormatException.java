package dev.torch4j.io.onnx;

import java.io.IOException;

/**
 * An ONNX file is not a well-formed {@code ModelProto}, or holds something {@link OnnxWeights} does not read
 * (external data, sparse initializers, an unknown data type). The message names the file and, where there is
 * one, the initializer: {@code "model.onnx: initializer 'w': raw_data has 12 bytes, dims [2, 2] of FLOAT need 16"}.
 * An {@link IOException}, like {@link dev.torch4j.io.SafeTensorsFormatException}.
 */
public final class OnnxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    OnnxFormatException(String message) {
        super(message);
    }
}
