// Persistent thread pool behind t4j::parallel_for. Workers sleep on a condition variable between jobs
// (no spinning: the kernels share cores with LibTorch's OpenMP pool).
#include "cpu/thread_pool.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace t4j {
namespace {

constexpr int kMaxThreads = 256;

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
            pending_ = parts - 1;
            ++generation_;
        }
        work_cv_.notify_all();
        run_part(0);
        std::unique_lock<std::mutex> lk(mu_);
        done_cv_.wait(lk, [this] { return pending_ == 0; });
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
        std::unique_lock<std::mutex> lk(mu_);
        for (;;) {
            work_cv_.wait(lk, [&] { return generation_ != seen; });
            seen = generation_;
            if (idx + 1 >= parts_) continue;
            lk.unlock();
            run_part(idx + 1);
            lk.lock();
            if (--pending_ == 0) done_cv_.notify_one();
        }
    }

    std::mutex job_mu_;
    std::mutex mu_;
    std::condition_variable work_cv_, done_cv_;
    std::vector<std::thread> workers_;
    uint64_t generation_ = 0;
    const std::function<void(int64_t, int64_t)> *fn_ = nullptr;
    int64_t n_ = 0, grain_ = 1;
    int parts_ = 1, pending_ = 0;
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
