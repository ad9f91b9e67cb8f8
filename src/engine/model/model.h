// A loaded model: its GGUF file (kept mapped), hyper-parameters, vocabulary and weights,
// and the forward pass of its architecture. One file per architecture (arch_*.cpp)
// knows its tensor names and quirks; shared building blocks live in ops.cpp/decoder.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/model/batch.h"
#include "engine/model/hparams.h"
#include "engine/model/kv_cache.h"

namespace tq {

class GgufFile;
class Vocab;
class ThreadPool;

struct ForwardRequest {
  bool logits = true;   // compute logits for the tokens marked want_output
  bool hidden = false;  // keep the final hidden states (after the output norm) too
};

class Model {
 public:
  virtual ~Model() = default;

  // Loads a GGUF model; throws InputError (corrupt/inconsistent file) or UnsupportedError
  // (architecture or tensor type we do not run) naming the file and what was wrong.
  static std::shared_ptr<Model> load(const std::string& path);

  const ModelHParams& hparams() const { return hparams_; }
  const Vocab& vocab() const { return *vocab_; }
  std::shared_ptr<const Vocab> shared_vocab() const { return vocab_; }
  const GgufFile& file() const { return *file_; }
  // Whether tokens attend only to the past (decoders) or to the whole input (BERT).
  virtual bool causal() const { return true; }

  KvCache make_cache(int32_t n_seq, int32_t n_ctx) const;

  // Runs the batch: appends its keys/values to the cache and fills `out` for the tokens
  // marked want_output. Positions must continue each sequence (pos == cache length, or
  // earlier to overwrite). Throws InputError for out-of-range tokens or positions.
  virtual void forward(ThreadPool& pool, const Batch& batch, KvCache& cache,
                       const ForwardRequest& req, ForwardOutput& out) const = 0;

 protected:
  void validate_batch(const Batch& batch, const KvCache& cache) const;

  std::shared_ptr<GgufFile> file_;
  std::shared_ptr<const Vocab> vocab_;
  ModelHParams hparams_;
};

}  // namespace tq
