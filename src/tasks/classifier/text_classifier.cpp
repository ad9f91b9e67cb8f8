#include "tasks/classifier/text_classifier.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <random>
#include <thread>
#include <unordered_map>

#include "core/error.h"

namespace tq::tasks {
namespace {

// hidden = mean of the rows' input vectors.
void average_rows(const float* input, uint32_t dim, const std::vector<uint32_t>& rows,
                  std::vector<float>& hidden) {
  std::fill(hidden.begin(), hidden.end(), 0.0F);
  for (uint32_t r : rows) {
    const float* v = input + static_cast<size_t>(r) * dim;
    for (uint32_t d = 0; d < dim; ++d) hidden[d] += v[d];
  }
  const float scale = rows.empty() ? 0.0F : 1.0F / static_cast<float>(rows.size());
  for (float& h : hidden) h *= scale;
}

// probs = softmax(output · hidden), in place over `probs` (size = labels).
void softmax_scores(const float* output, uint32_t dim, const std::vector<float>& hidden,
                    std::vector<float>& probs) {
  float max_score = -INFINITY;
  for (size_t k = 0; k < probs.size(); ++k) {
    const float* w = output + k * dim;
    float s = 0;
    for (uint32_t d = 0; d < dim; ++d) s += w[d] * hidden[d];
    probs[k] = s;
    max_score = std::max(max_score, s);
  }
  float sum = 0;
  for (float& p : probs) {
    p = std::exp(p - max_score);
    sum += p;
  }
  for (float& p : probs) p /= sum;
}

struct TrainingSet {
  std::vector<std::vector<uint32_t>> rows;  // per example
  std::vector<uint32_t> label;              // per example
  size_t n_features = 0;
  size_t n_labels = 0;
};

// One model, one thread: SGD over shuffled examples, the learning rate decaying linearly
// to zero over all epochs (fastText's schedule, per example instead of per token).
void train_one(const TrainingSet& set, const TrainOptions& o, uint64_t seed,
               std::vector<float>& input, std::vector<float>& output,
               const TextClassifier::Progress& progress) {
  const uint32_t dim = o.dim;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> init(-1.0F / static_cast<float>(dim),
                                             1.0F / static_cast<float>(dim));
  input.resize(set.n_features * dim);
  for (float& v : input) v = init(rng);
  output.assign(set.n_labels * dim, 0.0F);

  std::vector<size_t> order(set.rows.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::vector<float> hidden(dim);
  std::vector<float> grad(dim);
  std::vector<float> probs(set.n_labels);
  const double total = static_cast<double>(order.size()) * o.epochs;
  double done = 0;
  for (uint32_t epoch = 0; epoch < o.epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t idx : order) {
      const auto lr = static_cast<float>(o.learning_rate * (1.0 - done / total));
      done += 1;
      const auto& rows = set.rows[idx];
      if (rows.empty()) continue;
      average_rows(input.data(), dim, rows, hidden);
      softmax_scores(output.data(), dim, hidden, probs);
      std::fill(grad.begin(), grad.end(), 0.0F);
      for (size_t k = 0; k < set.n_labels; ++k) {
        const float g = lr * ((k == set.label[idx] ? 1.0F : 0.0F) - probs[k]);
        float* w = output.data() + k * dim;
        for (uint32_t d = 0; d < dim; ++d) {
          grad[d] += g * w[d];
          w[d] += g * hidden[d];
        }
      }
      // Each input vector moves by the gradient of the mean, as in fastText.
      const float scale = 1.0F / static_cast<float>(rows.size());
      for (float& g : grad) g *= scale;
      for (uint32_t r : rows) {
        float* v = input.data() + static_cast<size_t>(r) * dim;
        for (uint32_t d = 0; d < dim; ++d) v[d] += grad[d];
      }
    }
    if (progress) progress(static_cast<double>(epoch + 1) / o.epochs);
  }
}

}  // namespace

TextClassifier::TextClassifier() = default;
TextClassifier::~TextClassifier() = default;
TextClassifier::TextClassifier(TextClassifier&&) noexcept = default;
TextClassifier& TextClassifier::operator=(TextClassifier&&) noexcept = default;

TextClassifier TextClassifier::train(const std::vector<LabeledText>& examples,
                                     const TrainOptions& options, const Progress& progress) {
  if (examples.empty()) throw InputError("no training examples");
  if (options.dim == 0 || options.dim > 1024)
    throw InputError("dim must be between 1 and 1024, got " + std::to_string(options.dim));
  if (options.epochs == 0) throw InputError("epochs must be at least 1");
  if (!(options.learning_rate > 0.0F) || !std::isfinite(options.learning_rate))
    throw InputError("the learning rate must be a positive number");
  if (options.ensemble == 0 || options.ensemble > 16)
    throw InputError("ensemble must be between 1 and 16");
  if (options.features.max_char_ngram > 16 ||
      (options.features.max_char_ngram > 0 &&
       (options.features.min_char_ngram == 0 ||
        options.features.min_char_ngram > options.features.max_char_ngram)))
    throw InputError("character n-gram lengths must satisfy 1 <= minn <= maxn <= 16");

  TextClassifier c;
  c.features_ = options.features;
  c.dim_ = options.dim;
  c.n_models_ = options.ensemble;

  std::map<std::string, uint32_t> label_ids;
  for (const auto& e : examples) label_ids.emplace(e.label, 0);
  for (auto& [label, id] : label_ids) {
    id = static_cast<uint32_t>(c.labels_.size());
    c.labels_.push_back(label);
  }

  std::vector<std::vector<uint64_t>> example_hashes(examples.size());
  std::unordered_map<uint64_t, uint32_t> counts;
  for (size_t i = 0; i < examples.size(); ++i) {
    extract_features(examples[i].text, c.features_, example_hashes[i]);
    for (uint64_t h : example_hashes[i]) ++counts[h];
  }
  for (const auto& [h, n] : counts)
    if (n >= options.min_count) c.hashes_.push_back(h);
  std::sort(c.hashes_.begin(), c.hashes_.end());
  c.build_index();

  TrainingSet set;
  set.n_features = c.hashes_.size();
  set.n_labels = c.labels_.size();
  set.rows.resize(examples.size());
  set.label.resize(examples.size());
  for (size_t i = 0; i < examples.size(); ++i) {
    set.label[i] = label_ids.at(examples[i].label);
    std::vector<uint32_t>& rows = set.rows[i];
    for (uint64_t h : example_hashes[i]) {
      // Linear probe in the index built above.
      const size_t mask = c.index_keys_.size() - 1;
      for (size_t slot = h & mask; c.index_keys_[slot] != 0; slot = (slot + 1) & mask) {
        if (c.index_keys_[slot] == h) {
          rows.push_back(c.index_rows_[slot]);
          break;
        }
      }
    }
  }
  example_hashes.clear();

  c.input_.resize(c.n_models_);
  c.output_.resize(c.n_models_);
  if (c.n_models_ == 1) {
    train_one(set, options, options.seed, c.input_[0], c.output_[0], progress);
  } else {
    // Each model owns its vectors: the threads share only the read-only training set.
    std::vector<std::thread> threads;
    std::vector<std::exception_ptr> errors(c.n_models_);
    for (uint32_t m = 0; m < c.n_models_; ++m) {
      threads.emplace_back([&, m] {
        try {
          train_one(set, options, options.seed + 0x9E3779B97F4A7C15ULL * m, c.input_[m],
                    c.output_[m], m == 0 ? progress : Progress{});
        } catch (...) {
          errors[m] = std::current_exception();
        }
      });
    }
    for (auto& t : threads) t.join();
    for (const auto& e : errors)
      if (e) std::rethrow_exception(e);
  }
  return c;
}

void TextClassifier::build_index() {
  size_t capacity = 16;
  while (capacity < hashes_.size() * 2) capacity *= 2;
  index_keys_.assign(capacity, 0);
  index_rows_.assign(capacity, 0);
  const size_t mask = capacity - 1;
  for (size_t row = 0; row < hashes_.size(); ++row) {
    size_t slot = hashes_[row] & mask;
    while (index_keys_[slot] != 0) slot = (slot + 1) & mask;
    index_keys_[slot] = hashes_[row];
    index_rows_[slot] = static_cast<uint32_t>(row);
  }
}

void TextClassifier::feature_rows(std::string_view text, std::vector<uint32_t>& rows) const {
  std::vector<uint64_t> hashes;
  extract_features(text, features_, hashes);
  rows.clear();
  const size_t mask = index_keys_.size() - 1;
  for (uint64_t h : hashes) {
    for (size_t slot = h & mask; index_keys_[slot] != 0; slot = (slot + 1) & mask) {
      if (index_keys_[slot] == h) {
        rows.push_back(index_rows_[slot]);
        break;
      }
    }
  }
}

void TextClassifier::probabilities(const std::vector<uint32_t>& rows,
                                   std::vector<float>& probs) const {
  probs.assign(labels_.size(), 0.0F);
  std::vector<float> hidden(dim_);
  std::vector<float> model_probs(labels_.size());
  for (uint32_t m = 0; m < n_models_; ++m) {
    average_rows(input_[m].data(), dim_, rows, hidden);
    softmax_scores(output_[m].data(), dim_, hidden, model_probs);
    for (size_t k = 0; k < probs.size(); ++k) probs[k] += model_probs[k];
  }
  for (float& p : probs) p /= static_cast<float>(n_models_);
}

std::vector<Prediction> TextClassifier::predict(std::string_view text, size_t top_k) const {
  std::vector<uint32_t> rows;
  feature_rows(text, rows);
  std::vector<float> probs;
  probabilities(rows, probs);
  std::vector<uint32_t> order(probs.size());
  for (uint32_t k = 0; k < order.size(); ++k) order[k] = k;
  top_k = std::min(std::max<size_t>(top_k, 1), order.size());
  std::partial_sort(
      order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top_k), order.end(),
      [&](uint32_t a, uint32_t b) { return probs[a] != probs[b] ? probs[a] > probs[b] : a < b; });
  std::vector<Prediction> out;
  out.reserve(top_k);
  for (size_t i = 0; i < top_k; ++i) out.push_back({labels_[order[i]], probs[order[i]]});
  return out;
}

EvalResult TextClassifier::evaluate(const std::vector<LabeledText>& examples) const {
  EvalResult r;
  r.n = examples.size();
  std::vector<std::string> predicted(examples.size());
  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < examples.size(); ++i) predicted[i] = predict(examples[i].text)[0].label;
  const auto stop = std::chrono::steady_clock::now();
  for (size_t i = 0; i < examples.size(); ++i) {
    if (predicted[i] == examples[i].label) ++r.correct;
    if (!std::binary_search(labels_.begin(), labels_.end(), examples[i].label)) ++r.unknown_labels;
  }
  r.accuracy = r.n == 0 ? 0.0 : static_cast<double>(r.correct) / static_cast<double>(r.n);
  r.per_item_us = r.n == 0 ? 0.0
                           : std::chrono::duration<double, std::micro>(stop - start).count() /
                                 static_cast<double>(r.n);
  return r;
}

uint32_t epochs_for(size_t n_examples, uint32_t at_least) {
  if (n_examples == 0) return at_least;
  const size_t needed = (kMinUpdates + n_examples - 1) / n_examples;
  return static_cast<uint32_t>(std::max<size_t>(at_least, std::min<size_t>(needed, 10000)));
}

}  // namespace tq::tasks
