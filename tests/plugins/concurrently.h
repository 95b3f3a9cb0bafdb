// For tests of concurrent calls: runs fn(0) ... fn(n - 1) on n threads
// released together, so their calls overlap as much as the machine lets
// them, and waits for all of them. No timing: a test counts outcomes.
#ifndef RETAIN_TESTS_PLUGINS_CONCURRENTLY_H_
#define RETAIN_TESTS_PLUGINS_CONCURRENTLY_H_

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

namespace retain::testing {

inline void Concurrently(int n, const std::function<void(int)>& fn) {
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < n) std::this_thread::yield();
      fn(i);
    });
  }
  for (auto& t : threads) t.join();
}

}  // namespace retain::testing

#endif  // RETAIN_TESTS_PLUGINS_CONCURRENTLY_H_
