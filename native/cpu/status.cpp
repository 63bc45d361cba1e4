#include <cstdlib>
#include <string>

#include "internal.h"

namespace {
thread_local std::string last_error;
}

namespace t4j {

int fail(int code, const char *msg) {
    try {
        last_error = msg ? msg : "";
    } catch (...) {
        // Out of memory while storing the message: keep the code, lose the text.
    }
    return code;
}

int ok() {
    last_error.clear();
    return T4J_OK;
}

}  // namespace t4j

extern "C" const char *t4j_last_error(void) { return last_error.c_str(); }

extern "C" int t4j_abi_version(void) { return 4; }

extern "C" int t4j_setenv_if_unset(const char *name, const char *value) {
    if (!name || !value || !*name) return t4j::fail(T4J_ERR_INVALID_ARGUMENT, "setenv: name and value are required");
    if (setenv(name, value, 0) != 0) return t4j::fail(T4J_ERR_INTERNAL, "setenv failed");
    return t4j::ok();
}
