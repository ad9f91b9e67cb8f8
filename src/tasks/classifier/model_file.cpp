// The classifier's file format (little-endian, version 1):
//   "TQCLSFY\0" magic, u32 version,
//   u32 dim, u32 word_ngrams, u32 min_char_ngram, u32 max_char_ngram, u32 models,
//   u32 labels, u64 features,
//   labels × (u32 byte length, UTF-8 bytes), sorted and distinct,
//   features × u64 hash, strictly increasing and non-zero,
//   models × (features × dim f32 input vectors, labels × dim f32 output vectors),
//   u64 FNV-1a checksum of every byte before it.
// Every count is checked against the bytes left before anything is allocated, so a
// truncated or corrupt file is an InputError and never a crash or a huge allocation.
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "core/error.h"
#include "tasks/classifier/csv.h"
#include "tasks/classifier/text_classifier.h"

namespace tq::tasks {
namespace {

static_assert(std::endian::native == std::endian::little, "the model format is little-endian");

constexpr char kMagic[8] = {'T', 'Q', 'C', 'L', 'S', 'F', 'Y', '\0'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kMaxDim = 1024;
constexpr uint32_t kMaxModels = 16;
constexpr uint32_t kMaxLabelBytes = 4096;

uint64_t fnv1a(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

class Writer {
 public:
  template <class T>
  void put(T v) {
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    out_.append(buf, sizeof(T));
  }
  void put_bytes(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  std::string& str() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  Reader(std::string_view bytes, const std::string& source) : bytes_(bytes), source_(source) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(source_ + ": corrupt classifier model (" + what + " at byte " +
                     std::to_string(pos_) + "); train it again with train-classifier");
  }
  [[nodiscard]] size_t left() const { return bytes_.size() - pos_; }
  void need(size_t n, const char* what) const {
    if (n > left())
      fail(std::string("truncated: ") + what + " needs " + std::to_string(n) + " bytes, " +
           std::to_string(left()) + " left");
  }
  template <class T>
  T get(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string_view get_bytes(size_t n, const char* what) {
    need(n, what);
    std::string_view v = bytes_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  // `count` floats, each finite.
  void get_floats(std::vector<float>& out, size_t count, const char* what) {
    if (count > left() / sizeof(float)) need(SIZE_MAX, what);
    out.resize(count);
    if (count == 0) return;  // memcpy into an empty vector's null data() is undefined
    std::memcpy(out.data(), bytes_.data() + pos_, count * sizeof(float));
    pos_ += count * sizeof(float);
    for (float v : out)
      if (!std::isfinite(v)) fail(std::string("a non-finite weight in the ") + what);
  }

 private:
  std::string_view bytes_;
  std::string source_;
  size_t pos_ = 0;
};

}  // namespace

std::string TextClassifier::to_bytes() const {
  Writer w;
  w.put_bytes(kMagic, sizeof(kMagic));
  w.put<uint32_t>(kVersion);
  w.put<uint32_t>(dim_);
  w.put<uint32_t>(features_.word_ngrams);
  w.put<uint32_t>(features_.min_char_ngram);
  w.put<uint32_t>(features_.max_char_ngram);
  w.put<uint32_t>(n_models_);
  w.put<uint32_t>(static_cast<uint32_t>(labels_.size()));
  w.put<uint64_t>(hashes_.size());
  for (const auto& label : labels_) {
    w.put<uint32_t>(static_cast<uint32_t>(label.size()));
    w.put_bytes(label.data(), label.size());
  }
  w.put_bytes(hashes_.data(), hashes_.size() * sizeof(uint64_t));
  for (uint32_t m = 0; m < n_models_; ++m) {
    w.put_bytes(input_[m].data(), input_[m].size() * sizeof(float));
    w.put_bytes(output_[m].data(), output_[m].size() * sizeof(float));
  }
  w.put<uint64_t>(fnv1a(w.str()));
  return std::move(w.str());
}

TextClassifier TextClassifier::from_bytes(std::string_view bytes, const std::string& source) {
  if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    throw InputError(source +
                     ": not a triptyque classifier model (bad magic); train one with "
                     "`triptyque train-classifier`");
  Reader r(bytes, source);
  (void)r.get_bytes(sizeof(kMagic), "magic");
  const auto version = r.get<uint32_t>("version");
  if (version != kVersion)
    throw InputError(source + ": classifier model version " + std::to_string(version) +
                     ", this triptyque reads version " + std::to_string(kVersion) +
                     "; train it again");
  if (bytes.size() < sizeof(kMagic) + 4 + sizeof(uint64_t)) r.fail("truncated: no checksum");
  const std::string_view body = bytes.substr(0, bytes.size() - sizeof(uint64_t));
  uint64_t stored = 0;
  std::memcpy(&stored, bytes.data() + body.size(), sizeof(stored));
  if (stored != fnv1a(body))
    throw InputError(source +
                     ": corrupt classifier model (checksum mismatch: the file was "
                     "truncated or altered); train it again with train-classifier");
  Reader b(body, source);
  (void)b.get_bytes(sizeof(kMagic) + sizeof(uint32_t), "header");

  TextClassifier c;
  c.dim_ = b.get<uint32_t>("dim");
  c.features_.word_ngrams = b.get<uint32_t>("word_ngrams");
  c.features_.min_char_ngram = b.get<uint32_t>("min_char_ngram");
  c.features_.max_char_ngram = b.get<uint32_t>("max_char_ngram");
  c.n_models_ = b.get<uint32_t>("models");
  const auto n_labels = b.get<uint32_t>("label count");
  const auto n_features = b.get<uint64_t>("feature count");
  if (c.dim_ == 0 || c.dim_ > kMaxDim) b.fail("dim " + std::to_string(c.dim_) + " out of range");
  if (c.n_models_ == 0 || c.n_models_ > kMaxModels) b.fail("model count out of range");
  if (c.features_.word_ngrams > 2 || c.features_.max_char_ngram > 16 ||
      c.features_.min_char_ngram > c.features_.max_char_ngram)
    b.fail("feature settings out of range");
  if (n_labels == 0) b.fail("no labels");
  if (n_labels > b.left() / sizeof(uint32_t)) b.fail("label count larger than the file");
  c.labels_.reserve(n_labels);
  for (uint32_t i = 0; i < n_labels; ++i) {
    const auto len = b.get<uint32_t>("label length");
    if (len == 0 || len > kMaxLabelBytes) b.fail("label length out of range");
    c.labels_.emplace_back(b.get_bytes(len, "label"));
    if (i > 0 && !(c.labels_[i - 1] < c.labels_[i])) b.fail("labels not sorted and distinct");
  }
  if (n_features > b.left() / sizeof(uint64_t)) b.fail("feature count larger than the file");
  c.hashes_.resize(n_features);
  const std::string_view hash_bytes = b.get_bytes(n_features * sizeof(uint64_t), "features");
  if (!hash_bytes.empty())  // memcpy from an empty vector's null data() is undefined
    std::memcpy(c.hashes_.data(), hash_bytes.data(), hash_bytes.size());
  for (size_t i = 0; i < c.hashes_.size(); ++i)
    if (c.hashes_[i] == 0 || (i > 0 && c.hashes_[i - 1] >= c.hashes_[i]))
      b.fail("feature hashes not strictly increasing");
  // The rest is exactly the weights: check before allocating them.
  const uint64_t per_model = (n_features + n_labels) * static_cast<uint64_t>(c.dim_);
  if (per_model > b.left() / sizeof(float) / c.n_models_ ||
      per_model * c.n_models_ * sizeof(float) != b.left())
    b.fail("weights do not match the header (" + std::to_string(b.left()) + " bytes left)");
  c.input_.resize(c.n_models_);
  c.output_.resize(c.n_models_);
  for (uint32_t m = 0; m < c.n_models_; ++m) {
    b.get_floats(c.input_[m], n_features * c.dim_, "input vectors");
    b.get_floats(c.output_[m], static_cast<size_t>(n_labels) * c.dim_, "output vectors");
  }
  c.build_index();
  return c;
}

void TextClassifier::save(const std::string& path) const {
  const std::string bytes = to_bytes();
  // Write beside, then rename: a crash mid-write never leaves a half model under `path`.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path + ": cannot write the model (check the directory)");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) throw Error(tmp + ": write failed (disk full?)");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw Error("cannot rename " + tmp + " to " + path);
}

TextClassifier TextClassifier::load(const std::string& path) {
  return from_bytes(read_text_file(path), path);
}

}  // namespace tq::tasks
