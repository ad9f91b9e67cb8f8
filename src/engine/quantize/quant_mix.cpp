// The table of quantisation targets and llama.cpp's tensor visiting order.
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "engine/gguf/gguf.h"
#include "engine/quantize/type_mix.h"

namespace tq {
namespace {

// LLAMA_FTYPE_MOSTLY_* numbers from llama.h; they are what general.file_type holds.
constexpr QuantMixInfo kMixes[] = {
    {QuantMix::Q4_0, "Q4_0", 2, GgmlType::Q4_0},
    {QuantMix::Q4_1, "Q4_1", 3, GgmlType::Q4_1},
    {QuantMix::Q5_0, "Q5_0", 8, GgmlType::Q5_0},
    {QuantMix::Q5_1, "Q5_1", 9, GgmlType::Q5_1},
    {QuantMix::Q8_0, "Q8_0", 7, GgmlType::Q8_0},
    {QuantMix::Q2_K, "Q2_K", 10, GgmlType::Q2_K},
    {QuantMix::Q3_K_S, "Q3_K_S", 11, GgmlType::Q3_K},
    {QuantMix::Q3_K_M, "Q3_K_M", 12, GgmlType::Q3_K},
    {QuantMix::Q3_K_L, "Q3_K_L", 13, GgmlType::Q3_K},
    {QuantMix::Q4_K_S, "Q4_K_S", 14, GgmlType::Q4_K},
    {QuantMix::Q4_K_M, "Q4_K_M", 15, GgmlType::Q4_K},
    {QuantMix::Q5_K_S, "Q5_K_S", 16, GgmlType::Q5_K},
    {QuantMix::Q5_K_M, "Q5_K_M", 17, GgmlType::Q5_K},
    {QuantMix::Q6_K, "Q6_K", 18, GgmlType::Q6_K},
};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The block number of "blk.N.…", or -1 (as llama.cpp's sscanf("blk.%d.") leaves it).
int block_of(const std::string& name) {
  int layer = -1;
  if (std::sscanf(name.c_str(), "blk.%d.", &layer) != 1) return -1;
  return layer;
}

}  // namespace

const QuantMixInfo& quant_mix_info(QuantMix mix) {
  for (const auto& m : kMixes)
    if (m.mix == mix) return m;
  return kMixes[0];  // unreachable: every enumerator has a row
}

std::optional<QuantMix> quant_mix_from_name(std::string_view name) {
  for (const auto& m : kMixes)
    if (iequals(m.name, name)) return m.mix;
  return std::nullopt;
}

std::string quant_mix_names() {
  std::string s;
  for (const auto& m : kMixes) s += (s.empty() ? "" : ", ") + std::string(m.name);
  return s;
}

std::vector<size_t> llama_quantize_order(const GgufFile& file) {
  const auto& ts = file.tensors();
  std::vector<size_t> order(ts.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const int la = block_of(ts[a].name);
    const int lb = block_of(ts[b].name);
    if (la != lb) return la < lb;
    return ts[a].name < ts[b].name;
  });
  return order;
}

}  // namespace tq
