package dev.torch4j;

/**
 * An error raised inside LibTorch (or our native kernels), carrying the native message without the
 * C++ backtrace. Argument errors found on the Java side are {@link IllegalArgumentException}s instead.
 */
public class TorchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TorchException(String message) {
        super(message);
    }

    public TorchException(String message, Throwable cause) {
        super(message, cause);
    }
}
