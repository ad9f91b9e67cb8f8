#include "engine/generation/scheduler.h"

#include <algorithm>
#include <string>

#include "core/error.h"
#include "core/thread_pool.h"
#include "engine/generation/sequence_decoder.h"
#include "engine/model/model.h"

namespace tq {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

size_t common_prefix(const std::vector<TokenId>& a, const std::vector<TokenId>& b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

}  // namespace

Scheduler::Scheduler(std::shared_ptr<const Model> model, ThreadPool& pool, SchedulerOptions options)
    : model_(std::move(model)),
      pool_(pool),
      options_(options),
      cache_(model_->make_cache(std::max(1, options.n_slots), std::max(2, options.n_ctx))),
      slots_(static_cast<size_t>(std::max(1, options.n_slots))) {
  if (options.n_slots < 1 || options.n_ctx < 2 || options.n_batch < 1)
    throw InputError("scheduler: slots and batch size must be >= 1 and the context >= 2");
  thread_ = std::thread([this] { loop(); });
}

Scheduler::~Scheduler() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::shared_ptr<ScheduledRequest> Scheduler::submit(std::vector<TokenId> prompt,
                                                    GenerationParams params, TextSink on_text) {
  auto r = std::make_shared<ScheduledRequest>();
  r->prompt_ = std::move(prompt);
  r->params_ = std::move(params);
  r->on_text_ = std::move(on_text);
  r->future_ = r->promise_.get_future().share();
  r->submitted_ = Clock::now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) throw Error("scheduler: shutting down");
    queue_.push_back(r);
  }
  wake_.notify_one();
  return r;
}

void Scheduler::loop() {
  for (;;) {
    std::vector<std::shared_ptr<ScheduledRequest>> admitted;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      const auto busy = [&] {
        return std::any_of(slots_.begin(), slots_.end(),
                           [](const Slot& s) { return s.request != nullptr; });
      };
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty() || busy(); });
      if (stopping_) {
        for (auto& r : queue_) {
          SequenceDecoder seq(model_->shared_vocab(), r->params_, r->prompt_, nullptr);
          seq.finish(FinishReason::Cancelled);
          r->promise_.set_value(std::move(seq.result()));
        }
        queue_.clear();
        break;
      }
      size_t free_slots = static_cast<size_t>(std::count_if(
          slots_.begin(), slots_.end(), [](const Slot& s) { return s.request == nullptr; }));
      while (free_slots > 0 && !queue_.empty()) {
        admitted.push_back(std::move(queue_.front()));
        queue_.pop_front();
        --free_slots;
      }
    }
    for (auto& r : admitted) admit(std::move(r));
    step();
  }
  for (Slot& s : slots_) {
    if (s.request == nullptr) continue;
    s.seq->finish(FinishReason::Cancelled);
    complete(s);
  }
}

void Scheduler::admit(std::shared_ptr<ScheduledRequest> r) {
  try {
    std::vector<TokenId>& prompt = r->prompt_;
    if (prompt.empty()) throw InputError("the prompt is empty");
    if (r->params_.max_tokens < 0) throw InputError("max_tokens must be >= 0");
    const size_t n_ctx = static_cast<size_t>(options_.n_ctx);
    if (prompt.size() >= n_ctx) {
      if (options_.overflow == ContextOverflow::Error)
        throw InputError("the prompt is " + std::to_string(prompt.size()) +
                         " tokens but the context holds " + std::to_string(n_ctx) +
                         " (including at least one generated token); shorten the prompt, "
                         "raise the context length or enable truncation");
      // Keep room for a quarter of the context (or max_tokens, if smaller) to generate.
      const size_t room =
          std::clamp<size_t>(static_cast<size_t>(r->params_.max_tokens), 1, n_ctx / 4);
      const size_t keep = n_ctx - room;
      const TokenId bos = model_->vocab().bos();
      const bool keep_bos = bos >= 0 && prompt.front() == bos;
      std::vector<TokenId> cut;
      if (keep_bos) cut.push_back(bos);
      cut.insert(cut.end(), prompt.end() - static_cast<std::ptrdiff_t>(keep - cut.size()),
                 prompt.end());
      prompt = std::move(cut);
    }

    // The slot: a free one, preferring the one whose cache holds the longest prefix of the
    // prompt, then the least recently used. Another (busy or free) slot with a longer
    // prefix is copied from. At least one prompt token is always evaluated, for its logits.
    const size_t max_reuse = options_.reuse_prefix ? prompt.size() - 1 : 0;
    size_t best_src = 0, best_len = 0;
    for (size_t i = 0; i < slots_.size(); ++i) {
      const size_t len = std::min(max_reuse, common_prefix(slots_[i].cached, prompt));
      if (len > best_len) best_len = len, best_src = i;
    }
    size_t dst = slots_.size(), reuse = 0;
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].request != nullptr) continue;
      const size_t own = std::min(max_reuse, common_prefix(slots_[i].cached, prompt));
      if (dst == slots_.size() || own > reuse ||
          (own == reuse && slots_[i].last_used < slots_[dst].last_used))
        dst = i, reuse = own;
    }
    if (dst == slots_.size()) throw Error("scheduler: no free slot at admission");
    Slot& slot = slots_[dst];
    if (best_len > reuse && best_src != dst) {
      cache_.copy_prefix(static_cast<int32_t>(best_src), static_cast<int32_t>(dst),
                         static_cast<int32_t>(best_len));
      reuse = best_len;
    }
    cache_.set_length(static_cast<int32_t>(dst), static_cast<int32_t>(reuse));
    slot.cached.assign(prompt.begin(), prompt.begin() + static_cast<std::ptrdiff_t>(reuse));
    slot.prompt_done = reuse;
    slot.pending = -1;
    slot.first_token = false;
    slot.last_used = ++clock_;
    slot.seq =
        std::make_unique<SequenceDecoder>(model_->shared_vocab(), r->params_, prompt, r->on_text_);
    slot.seq->result().reused_prompt_tokens = static_cast<int32_t>(reuse);
    slot.request = std::move(r);
    if (slot.seq->done()) complete(slot);  // max_tokens == 0
  } catch (...) {
    r->promise_.set_exception(std::current_exception());
  }
}

void Scheduler::step() {
  // Cancellations first: they free slots and cost nothing.
  for (Slot& s : slots_) {
    if (s.request != nullptr && s.request->cancelled_.load()) {
      s.seq->finish(FinishReason::Cancelled);
      complete(s);
    }
  }
  Batch batch;
  std::vector<size_t> slot_of;  // batch entry → slot, for entries with outputs
  std::vector<int64_t> tokens_of(slots_.size(), 0);  // each slot's tokens in this pass
  int64_t budget = options_.n_batch;
  for (size_t i = 0; i < slots_.size() && budget > 0; ++i) {
    Slot& s = slots_[i];
    if (s.request == nullptr || s.pending < 0) continue;
    batch.add(s.pending, static_cast<int32_t>(s.cached.size()), static_cast<int32_t>(i), true);
    slot_of.push_back(i);
    s.cached.push_back(s.pending);
    s.pending = -1;
    ++tokens_of[i];
    --budget;
  }
  for (size_t i = 0; i < slots_.size() && budget > 0; ++i) {
    Slot& s = slots_[i];
    if (s.request == nullptr || s.first_token || s.pending >= 0) continue;
    const auto& prompt = s.request->prompt_;
    const size_t n = std::min(prompt.size() - s.prompt_done, static_cast<size_t>(budget));
    for (size_t k = 0; k < n; ++k) {
      const size_t p = s.prompt_done + k;
      const bool last = p + 1 == prompt.size();
      batch.add(prompt[p], static_cast<int32_t>(p), static_cast<int32_t>(i), last);
      if (last) slot_of.push_back(i);
      s.cached.push_back(prompt[p]);
    }
    s.prompt_done += n;
    tokens_of[i] += static_cast<int64_t>(n);
    budget -= static_cast<int64_t>(n);
  }
  if (batch.size() == 0) return;

  // The step's CPU time: this thread's clock plus each pool worker's. The pool belongs to
  // this scheduler (one per loaded model) and only this thread starts its regions, so those
  // clocks hold this model's passes and nothing else — unlike the process's clock, which
  // would also count the HTTP threads, other models' schedulers and embedding calls running
  // at the same time. Two reads per thread per pass (a pass takes milliseconds); workers'
  // spinning between regions is counted (it burns the core), their idle spin after the
  // step's end is not.
  const double cpu_start = thread_cpu_seconds() + pool_.workers_cpu_seconds();
  ForwardOutput& out = out_;
  try {
    model_->forward(pool_, batch, cache_, ForwardRequest{}, out);
  } catch (...) {
    const auto error = std::current_exception();
    for (size_t i : slot_of) fail(slots_[i], error);
    // Slots whose prompt chunk was in the failed pass lose their partial cache too.
    for (Slot& s : slots_)
      if (s.request != nullptr && !s.first_token) fail(s, error);
    return;
  }
  std::vector<size_t> finished;  // completed after the step's CPU time is shared out
  for (size_t row = 0; row < out.batch_index.size(); ++row) {
    Slot& s = slots_[slot_of[row]];
    if (s.request == nullptr) continue;
    try {
      const TokenId next = s.seq->step(
          std::span<const float>(out.logits_row(row), static_cast<size_t>(out.n_vocab)));
      if (!s.first_token) {
        s.first_token = true;
        s.seq->result().prompt_seconds = seconds_since(s.request->submitted_);
      }
      s.last_used = ++clock_;
      if (!s.seq->done() && s.cached.size() + 1 > static_cast<size_t>(options_.n_ctx))
        s.seq->finish(FinishReason::ContextFull);
      if (s.seq->done()) {
        finished.push_back(slot_of[row]);
      } else {
        s.pending = next;
      }
    } catch (...) {
      fail(s, std::current_exception());
    }
  }
  // Shared by tokens: a prompt chunk of 500 tokens costs about 500 decode tokens' work.
  const double cpu = thread_cpu_seconds() + pool_.workers_cpu_seconds() - cpu_start;
  const auto total = static_cast<double>(batch.size());
  for (size_t i = 0; i < slots_.size(); ++i)
    if (tokens_of[i] > 0 && slots_[i].seq != nullptr && cpu > 0)
      slots_[i].seq->result().cpu_seconds += cpu * static_cast<double>(tokens_of[i]) / total;
  for (size_t i : finished) complete(slots_[i]);
}

void Scheduler::complete(Slot& slot) {
  GenerationResult& res = slot.seq->result();
  res.decode_seconds = seconds_since(slot.request->submitted_) - res.prompt_seconds;
  slot.request->promise_.set_value(std::move(res));
  slot.request.reset();
  slot.seq.reset();
  slot.pending = -1;
}

void Scheduler::fail(Slot& slot, const std::exception_ptr& error) {
  if (slot.request == nullptr) return;
  slot.request->promise_.set_exception(error);
  slot.request.reset();
  slot.seq.reset();
  slot.pending = -1;
  slot.cached.clear();  // its cache contents are no longer known to be valid
  cache_.set_length(static_cast<int32_t>(&slot - slots_.data()), 0);
}

}  // namespace tq
