// Many generations at once on one model: continuous batching. Requests wait in a queue and
// join the running batch between forward passes as sequence slots free up; every pass
// carries one decode token per running sequence plus chunks of the prompts being read, so
// the weights are read once for all of them. A new prompt that starts with tokens already
// in some slot's KV cache (a shared system prompt, the same retrieved context) reuses them
// instead of recomputing them. Requests can be cancelled at any point; prompts longer than
// the context are refused with a clear error or truncated, by configuration. Each pass's
// CPU time is measured and shared among its sequences by their tokens in it
// (GenerationResult::cpu_seconds), for the ledger's energy estimate.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/generation/generator.h"
#include "engine/model/batch.h"
#include "engine/model/kv_cache.h"

namespace tq {

class Model;
class SequenceDecoder;
class ThreadPool;

enum class ContextOverflow {
  Error,          // a prompt that leaves no room for a generated token is refused
  TruncateStart,  // drop the oldest prompt tokens (a leading BOS is kept)
};

struct SchedulerOptions {
  int32_t n_slots = 4;    // sequences decoded side by side
  int32_t n_ctx = 2048;   // positions per sequence (prompt + generated)
  int32_t n_batch = 512;  // most tokens per forward pass (decode tokens first, then prompts)
  ContextOverflow overflow = ContextOverflow::Error;
  bool reuse_prefix = true;
};

// One submitted generation. Its result arrives through wait(); cancel() ends it at the next
// step with FinishReason::Cancelled (the text so far is kept).
class ScheduledRequest {
 public:
  void cancel() { cancelled_.store(true); }
  // Blocks until done; rethrows the request's error (e.g. InputError for a prompt that
  // does not fit) as the exception it was.
  GenerationResult wait() { return future_.get(); }
  bool ready() const {
    return future_.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  }

 private:
  friend class Scheduler;
  std::vector<TokenId> prompt_;
  GenerationParams params_;
  TextSink on_text_;
  std::atomic<bool> cancelled_{false};
  std::promise<GenerationResult> promise_;
  std::shared_future<GenerationResult> future_;
  std::chrono::steady_clock::time_point submitted_;
};

class Scheduler {
 public:
  // The pool is used by the scheduler's own thread only, for the forward passes.
  Scheduler(std::shared_ptr<const Model> model, ThreadPool& pool, SchedulerOptions options);
  ~Scheduler();  // cancels what is still running or queued, then joins
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Thread-safe. `on_text` runs on the scheduler's thread; returning false cancels. Each
  // request needs its own params.constraint instance (constraints keep per-sequence state).
  std::shared_ptr<ScheduledRequest> submit(std::vector<TokenId> prompt, GenerationParams params,
                                           TextSink on_text = nullptr);

  const SchedulerOptions& options() const { return options_; }
  const std::shared_ptr<const Model>& model() const { return model_; }

 private:
  struct Slot {
    std::vector<TokenId> cached;                // tokens whose keys/values fill positions 0..n-1
    std::shared_ptr<ScheduledRequest> request;  // null when free
    std::unique_ptr<SequenceDecoder> seq;
    size_t prompt_done = 0;  // prompt tokens in the cache so far
    TokenId pending = -1;    // sampled, not yet fed back
    uint64_t last_used = 0;
    bool first_token = false;
  };

  void loop();
  void admit(std::shared_ptr<ScheduledRequest> r);
  void step();
  void complete(Slot& slot);
  void fail(Slot& slot, const std::exception_ptr& error);

  std::shared_ptr<const Model> model_;
  ThreadPool& pool_;
  SchedulerOptions options_;
  KvCache cache_;
  std::vector<Slot> slots_;
  uint64_t clock_ = 0;
  ForwardOutput out_;  // reused from pass to pass (logits of a 150k vocabulary are large)

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<ScheduledRequest>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tq
