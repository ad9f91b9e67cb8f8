// A specialised text classifier trained in seconds on a few cores: fastText's supervised
// model (Joulin et al., "Bag of Tricks for Efficient Text Classification", 2016). A text
// is the average of its features' vectors (features.h); a linear layer and a softmax give
// the label probabilities; training is plain SGD on the log-loss with a learning rate that
// decays linearly to zero. Deterministic for a seed: examples are shuffled by a seeded
// generator and updated one at a time. With `ensemble` > 1, that many models with
// different seeds train in parallel threads (no shared state) and predictions average
// their probabilities: the cores are used without Hogwild's racy updates.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tasks/classifier/dataset.h"
#include "tasks/classifier/features.h"

namespace tq::tasks {

struct TrainOptions {
  FeatureConfig features;
  uint32_t dim = 100;
  // 10 epochs at 1.0 match fastText's 50 at 0.5 on BANKING77 / CLINC150 (shuffled
  // examples converge faster than fastText's file order) in a fifth of the time.
  uint32_t epochs = 10;
  float learning_rate = 1.0F;
  uint64_t seed = 1;
  uint32_t min_count = 1;  // features seen fewer times are dropped
  uint32_t ensemble = 1;   // models trained side by side (one thread each)
};

// Passes over `n_examples` for `train-classifier` without --epochs: `at_least`, or more so
// that training makes kMinUpdates SGD steps. BANKING77's 10k examples keep 10 epochs; a
// shop's 40 tickets get ~250, which 10 passes would leave near the uniform distribution.
inline constexpr size_t kMinUpdates = 10000;
uint32_t epochs_for(size_t n_examples, uint32_t at_least = 10);

struct Prediction {
  std::string label;
  float probability = 0;
};

struct EvalResult {
  double accuracy = 0;
  size_t n = 0;
  size_t correct = 0;
  double per_item_us = 0;     // prediction time per text, features included
  size_t unknown_labels = 0;  // test examples whose label the model never saw
};

class TextClassifier {
 public:
  // Progress: called with the fraction done (0..1) from the training thread(s).
  using Progress = std::function<void(double)>;

  static TextClassifier train(const std::vector<LabeledText>& examples, const TrainOptions& options,
                              const Progress& progress = {});
  // Throws InputError on a file that is not a model, truncated or corrupt.
  static TextClassifier load(const std::string& path);
  static TextClassifier from_bytes(std::string_view bytes, const std::string& source);
  void save(const std::string& path) const;
  [[nodiscard]] std::string to_bytes() const;

  // The `top_k` most probable labels, most probable first.
  [[nodiscard]] std::vector<Prediction> predict(std::string_view text, size_t top_k = 1) const;
  [[nodiscard]] EvalResult evaluate(const std::vector<LabeledText>& examples) const;

  [[nodiscard]] const std::vector<std::string>& labels() const { return labels_; }
  [[nodiscard]] size_t feature_count() const { return hashes_.size(); }
  [[nodiscard]] uint32_t dim() const { return dim_; }
  [[nodiscard]] uint32_t ensemble_size() const { return n_models_; }

  TextClassifier();
  ~TextClassifier();
  TextClassifier(TextClassifier&&) noexcept;
  TextClassifier& operator=(TextClassifier&&) noexcept;
  TextClassifier(const TextClassifier&) = delete;
  TextClassifier& operator=(const TextClassifier&) = delete;

 private:
  void build_index();
  // Row of each known feature of `text`; unknown features are skipped.
  void feature_rows(std::string_view text, std::vector<uint32_t>& rows) const;
  void probabilities(const std::vector<uint32_t>& rows, std::vector<float>& probs) const;

  FeatureConfig features_;
  uint32_t dim_ = 0;
  uint32_t n_models_ = 1;
  std::vector<std::string> labels_;
  std::vector<uint64_t> hashes_;  // sorted; feature i has row i in every model
  // Per model: input vectors [features × dim] then output vectors [labels × dim].
  std::vector<std::vector<float>> input_;
  std::vector<std::vector<float>> output_;
  // Open-addressing index hash → row (capacity a power of two, 0 = empty).
  std::vector<uint64_t> index_keys_;
  std::vector<uint32_t> index_rows_;
};

}  // namespace tq::tasks
