#include "engine/synth/synth_writer.h"

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "engine/gguf/gguf_stream.h"
#include "engine/quantize/kquants.h"

namespace tq {
namespace {

// Standard deviation of the random weights: the usual initialiser scale, which keeps
// q·k, the FFN and the logits O(1) with RMS-normalised inputs.
constexpr float kWeightStd = 0.02f;
// Rows are generated and written in pieces of about this many output bytes.
constexpr size_t kChunkBytes = size_t{8} << 20;

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t hash_name(std::string_view s) {  // FNV-1a: a stable per-tensor stream id
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001B3ull;
  return h;
}

// Approximately normal: the sum of four 16-bit uniforms (Irwin–Hall), rescaled to unit
// variance. One 64-bit draw per value keeps a 1B-weight model to seconds; the tails are
// cut at ±3.5σ, which only makes quantisation slightly kinder than on trained weights.
void fill_normal_row(uint64_t state, float stddev, float* out, int64_t n) {
  constexpr float kMean = 4 * 65535.0f / 2;
  const float scale = stddev / 37837.2f;  // sqrt(4 · (65536² − 1) / 12)
  for (int64_t i = 0; i < n; ++i) {
    const uint64_t r = splitmix64(state);
    const float sum =
        static_cast<float>((r & 0xFFFF) + ((r >> 16) & 0xFFFF) + ((r >> 32) & 0xFFFF) + (r >> 48));
    out[i] = (sum - kMean) * scale;
  }
}

void fill_row(const SynthTensor& t, uint64_t tensor_seed, int64_t row, float* out) {
  const int64_t n = t.ne[0];
  switch (t.init) {
    case WeightInit::Ones:
      std::fill(out, out + n, 1.0f);
      break;
    case WeightInit::Given:
      std::copy(t.values.begin() + row * n, t.values.begin() + (row + 1) * n, out);
      break;
    case WeightInit::Normal: {
      uint64_t s = tensor_seed ^ (static_cast<uint64_t>(row) * 0xD1B54A32D192ED03ull);
      fill_normal_row(splitmix64(s), kWeightStd, out, n);
      break;
    }
  }
}

}  // namespace

void write_synth_model(const SynthPlan& plan, uint64_t seed, const std::string& path,
                       ThreadPool& pool, const SynthProgressFn& progress) {
  GgufStreamWriter w;
  for (const auto& [key, value] : plan.metadata) w.set(key, value);
  for (const auto& t : plan.tensors) w.add_tensor_info(t.name, t.type, t.ne);
  const uint64_t total = plan.n_bytes();
  uint64_t done = 0;

  std::vector<uint8_t> chunk;
  w.write(path, [&](size_t index, const GgufTensorInfo& info, const GgufStreamWriter::Emit& emit) {
    const SynthTensor& t = plan.tensors[index];
    // llama-quantize's quantiser for the type (the K-quant reference ones, or the traits
    // table's from_float for float and legacy types).
    const FromFloatFn quantize = weight_quantizer(t.type);
    if (quantize == nullptr)
      throw UnsupportedError("tensor '" + t.name + "': no quantiser for type " +
                             std::string(type_name(t.type)));
    const int64_t n = t.ne[0], rows = t.n_elements() / n;
    const size_t row_bytes = row_size(t.type, n);
    const int64_t rows_per_chunk =
        std::max<int64_t>(1, static_cast<int64_t>(kChunkBytes / std::max<size_t>(row_bytes, 1)));
    uint64_t tensor_seed = seed ^ hash_name(t.name);
    tensor_seed = splitmix64(tensor_seed);
    for (int64_t r0 = 0; r0 < rows; r0 += rows_per_chunk) {
      const int64_t nr = std::min(rows_per_chunk, rows - r0);
      chunk.resize(static_cast<size_t>(nr) * row_bytes);
      pool.parallel_for(nr, [&](int64_t begin, int64_t end) {
        std::vector<float> values(static_cast<size_t>(n));
        for (int64_t r = begin; r < end; ++r) {
          fill_row(t, tensor_seed, r0 + r, values.data());
          quantize(values.data(), chunk.data() + static_cast<size_t>(r) * row_bytes, n);
        }
      });
      emit(chunk.data(), chunk.size());
      done += chunk.size();
      if (progress) progress({done, total, info.name});
    }
  });
}

}  // namespace tq
