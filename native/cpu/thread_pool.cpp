// Persistent thread pool behind t4j::parallel_for. Between jobs a worker spins for a short while (the next kernel
// of a decode step usually follows within microseconds, and a condition-variable wake-up costs ~30 us on a VM),
// then sleeps on a condition variable so that idle workers do not take cores from LibTorch's OpenMP pool.
// T4J_POOL_SPIN_US sets the spin time (default 50; 0 = always sleep).
#include "cpu/thread_pool.h"

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace t4j {
namespace {

constexpr int kMaxThreads = 256;

std::chrono::microseconds spin_time() {
    const char *v = std::getenv("T4J_POOL_SPIN_US");
    long us = v ? std::strtol(v, nullptr, 10) : 50;
    return std::chrono::microseconds(std::clamp<long>(us, 0, 100000));
}

// Spins until done() or the spin time has passed; true when done() held.
template <typename Done>
bool spin_until(Done done, std::chrono::microseconds budget) {
    if (budget.count() == 0) return done();
    auto until = std::chrono::steady_clock::now() + budget;
    for (int i = 0;; ++i) {
        if (done()) return true;
        _mm_pause();
        if ((i & 63) == 63 && std::chrono::steady_clock::now() >= until) return done();
    }
}

class Pool {
public:
    void run(int parts, int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)> &fn) {
        std::lock_guard<std::mutex> job(job_mu_);
        {
            std::unique_lock<std::mutex> lk(mu_);
            while (static_cast<int>(workers_.size()) < parts - 1) {
                int idx = static_cast<int>(workers_.size());
                workers_.emplace_back([this, idx] { loop(idx); });
            }
            fn_ = &fn;
            n_ = n;
            grain_ = grain;
            parts_ = parts;
            pending_.store(parts - 1);
            generation_.fetch_add(1, std::memory_order_release);
        }
        work_cv_.notify_all();
        run_part(0);
        if (!spin_until([this] { return pending_.load(std::memory_order_acquire) == 0; }, spin_)) {
            std::unique_lock<std::mutex> lk(mu_);
            done_cv_.wait(lk, [this] { return pending_.load() == 0; });
        }
        fn_ = nullptr;
    }

private:
    // Part p covers whole grains [p * g / parts, (p + 1) * g / parts) of the g = ceil(n / grain) grains.
    void run_part(int p) {
        int64_t grains = (n_ + grain_ - 1) / grain_;
        int64_t b = grains * p / parts_ * grain_;
        int64_t e = std::min(n_, grains * (p + 1) / parts_ * grain_);
        if (b < e) (*fn_)(b, e);
    }

    void loop(int idx) {
        uint64_t seen = 0;
        for (;;) {
            spin_until([&] { return generation_.load(std::memory_order_acquire) != seen; }, spin_);
            int parts;
            {
                // Taking the lock also orders the job fields written under it before they are read here.
                std::unique_lock<std::mutex> lk(mu_);
                work_cv_.wait(lk, [&] { return generation_.load() != seen; });
                seen = generation_.load();
                parts = parts_;
            }
            if (idx + 1 >= parts) continue;
            run_part(idx + 1);
            if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
                // The caller may be asleep: notify under the lock it checks pending_ with.
                std::lock_guard<std::mutex> lk(mu_);
                done_cv_.notify_one();
            }
        }
    }

    const std::chrono::microseconds spin_ = spin_time();
    std::mutex job_mu_;
    std::mutex mu_;
    std::condition_variable work_cv_, done_cv_;
    std::vector<std::thread> workers_;
    std::atomic<uint64_t> generation_{0};
    const std::function<void(int64_t, int64_t)> *fn_ = nullptr;
    int64_t n_ = 0, grain_ = 1;
    int parts_ = 1;
    std::atomic<int> pending_{0};
};

// Never destroyed: workers may still be parked when the JVM unloads the library at exit.
Pool &pool() {
    static Pool *p = new Pool;
    return *p;
}

}  // namespace

void parallel_for(int num_threads, int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)> &fn) {
    if (n <= 0) return;
    if (grain < 1) grain = 1;
    int64_t grains = (n + grain - 1) / grain;
    int parts = static_cast<int>(std::min<int64_t>({static_cast<int64_t>(std::max(num_threads, 1)), grains,
                                                    static_cast<int64_t>(kMaxThreads)}));
    if (parts <= 1) {
        fn(0, n);
        return;
    }
    pool().run(parts, n, grain, fn);
}

}  // namespace t4j
