// quantize_model: walks the plan of type_rules.cpp, converts each tensor row by row on the
// thread pool (rows are independent, so the bytes do not depend on the thread count) and
// writes the result with GgufWriter.
#include "engine/quantize/quantize_model.h"

#include <cstring>
#include <filesystem>

#include "core/error.h"
#include "core/thread_pool.h"
#include "engine/gguf/gguf.h"
#include "engine/quantize/kquants.h"

namespace tq {
namespace {

// llama.cpp's GGML_QNT_VERSION: the current encoding of the quantised formats.
constexpr uint32_t kQuantizationVersion = 2;

bool is_float_type(GgmlType t) {
  return t == GgmlType::F32 || t == GgmlType::F16 || t == GgmlType::BF16;
}

// llama.cpp copies every key, drops the split keys, and sets these two last (its
// gguf_set_val removes a key and appends it again, so they end up at the end in this order).
void copy_metadata(const GgufFile& in, GgufWriter& w, uint32_t ftype) {
  for (const auto& [key, value] : in.metadata()) {
    if (key == "general.quantization_version" || key == "general.file_type" || key == "split.no" ||
        key == "split.count" || key == "split.tensors.count")
      continue;
    w.set(key, value);
  }
  w.set("general.quantization_version", GgufValue::of(kQuantizationVersion));
  w.set("general.file_type", GgufValue::of(ftype));
}

// ne as llama.cpp writes it: trailing 1-sized dimensions dropped (ggml_n_dims).
std::vector<int64_t> written_shape(std::vector<int64_t> ne) {
  while (ne.size() > 1 && ne.back() == 1) ne.pop_back();
  return ne;
}

std::vector<uint8_t> convert_rows(const GgufTensorInfo& t, GgmlType to, ThreadPool& pool) {
  const int64_t n_per_row = t.ne[0];
  const int64_t rows = t.n_rows();
  const size_t in_row = row_size(t.type, n_per_row);
  const size_t out_row = row_size(to, n_per_row);
  const ToFloatFn to_float = type_traits(t.type).to_float;
  const FromFloatFn quantize = weight_quantizer(to);
  if (!to_float || !quantize)
    throw UnsupportedError("tensor '" + t.name + "': no conversion from " +
                           std::string(type_name(t.type)) + " to " + std::string(type_name(to)));
  std::vector<uint8_t> out(out_row * static_cast<size_t>(rows));
  const auto* src = static_cast<const uint8_t*>(t.data);
  pool.parallel_for(rows, [&](int64_t begin, int64_t end) {
    std::vector<float> row(static_cast<size_t>(n_per_row));
    for (int64_t r = begin; r < end; ++r) {
      const uint8_t* in = src + static_cast<size_t>(r) * in_row;
      const float* x = reinterpret_cast<const float*>(in);
      if (t.type != GgmlType::F32) {
        to_float(in, row.data(), n_per_row);
        x = row.data();
      } else if (reinterpret_cast<uintptr_t>(in) % alignof(float) != 0) {
        std::memcpy(row.data(), in, in_row);
        x = row.data();
      }
      quantize(x, out.data() + static_cast<size_t>(r) * out_row, n_per_row);
    }
  });
  return out;
}

}  // namespace

double QuantizeReport::bits_per_weight_in() const {
  return n_elements ? 8.0 * static_cast<double>(tensor_bytes_in) / static_cast<double>(n_elements)
                    : 0.0;
}
double QuantizeReport::bits_per_weight_out() const {
  return n_elements ? 8.0 * static_cast<double>(tensor_bytes_out) / static_cast<double>(n_elements)
                    : 0.0;
}

QuantizeReport quantize_model(const std::string& in_path, const std::string& out_path, QuantMix mix,
                              ThreadPool& pool, const QuantizeProgress& progress) {
  const std::shared_ptr<GgufFile> in = GgufFile::open(in_path);
  const std::vector<TensorPlan> plan = plan_quantization(*in, mix);

  QuantizeReport report;
  report.mix = mix;
  report.file_bytes_in = in->file_size();
  GgufWriter w;
  copy_metadata(*in, w, quant_mix_info(mix).ftype);

  for (size_t i = 0; i < plan.size(); ++i) {
    const TensorPlan& p = plan[i];
    const GgufTensorInfo& t = in->tensors()[p.index];
    TensorQuantReport r;
    r.name = t.name;
    r.ne = written_shape(t.ne);
    r.from = t.type;
    r.to = p.quantize ? p.type : t.type;
    r.fallback = p.fallback;
    r.note = p.note;
    r.bytes_in = t.nbytes;
    // Like llama.cpp: a tensor already in the chosen type is copied; anything else must be
    // converted, which we only do from float types (llama.cpp: "requantizing from type %s
    // is disabled").
    if (r.to == t.type) {
      w.add_tensor(t.name, t.type, r.ne, t.data, t.nbytes);
      r.bytes_out = t.nbytes;
    } else {
      if (!is_float_type(t.type))
        throw InputError(in_path + ": tensor '" + t.name + "' is already quantised (" +
                         std::string(type_name(t.type)) + "); requantising to " +
                         std::string(type_name(r.to)) +
                         " is not supported, quantise from an F32, F16 or BF16 file");
      const std::vector<uint8_t> data = convert_rows(t, r.to, pool);
      w.add_tensor(t.name, r.to, r.ne, data.data(), data.size());
      r.converted = true;
      r.bytes_out = data.size();
    }
    report.tensor_bytes_in += r.bytes_in;
    report.tensor_bytes_out += r.bytes_out;
    report.n_elements += t.n_elements();
    if (progress) progress(i, plan.size(), r);
    report.tensors.push_back(std::move(r));
  }
  w.write(out_path);
  std::error_code ec;
  report.file_bytes_out = std::filesystem::file_size(out_path, ec);
  return report;
}

}  // namespace tq
