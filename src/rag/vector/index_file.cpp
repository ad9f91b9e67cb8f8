#include "rag/vector/index_file.h"

#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <unordered_set>
#include <vector>

namespace tq {

static_assert(std::endian::native == std::endian::little,
              "index files are little-endian and read with memcpy");

namespace {

std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

template <typename T>
T read_at(std::span<const std::byte> bytes, size_t offset) {
  T v;
  std::memcpy(&v, bytes.data() + offset, sizeof(T));
  return v;
}

template <typename T>
void write_at(std::byte* out, size_t offset, T v) {
  std::memcpy(out + offset, &v, sizeof(T));
}

// hnswlib's stream header: six size_t, int maxlevel, uint32 entry point, three size_t,
// double mult, size_t ef_construction (x86-64 / aarch64 sizes).
constexpr size_t kHnswHeaderSize = 6 * 8 + 4 + 4 + 3 * 8 + 8 + 8;
// Sanity bounds well above anything hnswlib builds: M up to 2048 keeps maxM0 within the
// 16-bit list count; levels grow like log_M(n), so 64 is never reached legitimately.
constexpr uint64_t kMaxM = 2048;
constexpr uint64_t kMaxEfConstruction = uint64_t{1} << 20;
constexpr int kMaxLevel = 64;

}  // namespace

uint32_t crc32_update(uint32_t crc, std::span<const std::byte> bytes) {
  static const std::array<uint32_t, 256> table = make_crc_table();
  uint32_t c = ~crc;
  for (const std::byte b : bytes) c = table[(c ^ static_cast<uint32_t>(b)) & 0xFFU] ^ (c >> 8);
  return ~c;
}

void encode_index_header(const IndexFileHeader& h, std::byte out[kIndexHeaderSize]) {
  std::memset(out, 0, kIndexHeaderSize);
  std::memcpy(out, kIndexMagic, sizeof kIndexMagic);
  write_at<uint32_t>(out, 8, h.version);
  write_at<uint32_t>(out, 12, static_cast<uint32_t>(kIndexHeaderSize));
  write_at<uint32_t>(out, 16, h.dim);
  write_at<uint32_t>(out, 20, static_cast<uint32_t>(h.metric));
  write_at<uint64_t>(out, 24, h.live_count);
  write_at<uint64_t>(out, 32, h.element_count);
  write_at<uint64_t>(out, 40, h.generation);
  write_at<uint64_t>(out, 48, h.body_size);
  write_at<uint32_t>(out, 56, h.body_crc);
  write_at<uint32_t>(out, 60, crc32_update(0, std::span<const std::byte>(out, 60)));
}

std::optional<IndexFileHeader> decode_index_header(std::span<const std::byte> bytes,
                                                   std::string& why) {
  if (bytes.size() < kIndexHeaderSize) {
    why = "file is " + std::to_string(bytes.size()) + " bytes, shorter than the " +
          std::to_string(kIndexHeaderSize) + "-byte header";
    return std::nullopt;
  }
  if (std::memcmp(bytes.data(), kIndexMagic, sizeof kIndexMagic) != 0) {
    why = "bad magic (not a triptyque vector index)";
    return std::nullopt;
  }
  IndexFileHeader h;
  h.version = read_at<uint32_t>(bytes, 8);
  if (h.version != kIndexFormatVersion) {
    why = "unsupported format version " + std::to_string(h.version) + " (this build reads " +
          std::to_string(kIndexFormatVersion) + ")";
    return std::nullopt;
  }
  if (read_at<uint32_t>(bytes, 12) != kIndexHeaderSize) {
    why = "bad header size " + std::to_string(read_at<uint32_t>(bytes, 12));
    return std::nullopt;
  }
  if (read_at<uint32_t>(bytes, 60) != crc32_update(0, bytes.first(60))) {
    why = "header checksum mismatch";
    return std::nullopt;
  }
  h.dim = read_at<uint32_t>(bytes, 16);
  const auto metric = read_at<uint32_t>(bytes, 20);
  if (metric != static_cast<uint32_t>(VectorMetric::kCosine) &&
      metric != static_cast<uint32_t>(VectorMetric::kL2)) {
    why = "unknown metric " + std::to_string(metric);
    return std::nullopt;
  }
  h.metric = static_cast<VectorMetric>(metric);
  h.live_count = read_at<uint64_t>(bytes, 24);
  h.element_count = read_at<uint64_t>(bytes, 32);
  h.generation = read_at<uint64_t>(bytes, 40);
  h.body_size = read_at<uint64_t>(bytes, 48);
  h.body_crc = read_at<uint32_t>(bytes, 56);
  if (h.dim == 0 || h.live_count > h.element_count) {
    why = "inconsistent header (dimension 0 or more live vectors than elements)";
    return std::nullopt;
  }
  return h;
}

std::optional<HnswBodySummary> validate_hnsw_body(std::span<const std::byte> body, uint32_t dim,
                                                  std::string& why) {
  auto fail = [&why](std::string reason) -> std::optional<HnswBodySummary> {
    why = "index body: " + std::move(reason);
    return std::nullopt;
  };
  if (body.size() < kHnswHeaderSize) return fail("truncated header");
  const auto offset_level0 = read_at<uint64_t>(body, 0);
  const auto max_elements = read_at<uint64_t>(body, 8);
  const auto count = read_at<uint64_t>(body, 16);
  const auto size_per_element = read_at<uint64_t>(body, 24);
  const auto label_offset = read_at<uint64_t>(body, 32);
  const auto offset_data = read_at<uint64_t>(body, 40);
  const auto max_level = read_at<int32_t>(body, 48);
  const auto entry_point = read_at<uint32_t>(body, 52);
  const auto max_m = read_at<uint64_t>(body, 56);
  const auto max_m0 = read_at<uint64_t>(body, 64);
  const auto m = read_at<uint64_t>(body, 72);
  const auto mult = read_at<double>(body, 80);
  const auto ef_construction = read_at<uint64_t>(body, 88);

  if (m < 2 || m > kMaxM || max_m != m || max_m0 != 2 * m)
    return fail("bad M parameters (M " + std::to_string(m) + ")");
  if (!(std::abs(mult - 1.0 / std::log(static_cast<double>(m))) < 1e-9))
    return fail("level multiplier does not match M");
  if (ef_construction < m || ef_construction > kMaxEfConstruction)
    return fail("bad ef_construction " + std::to_string(ef_construction));
  const uint64_t links0 = max_m0 * 4 + 4;
  const uint64_t vector_bytes = uint64_t{dim} * 4;
  if (offset_level0 != 0 || offset_data != links0 || label_offset != links0 + vector_bytes ||
      size_per_element != links0 + vector_bytes + 8)
    return fail("element layout does not match dimension " + std::to_string(dim));
  if (max_elements < count) return fail("element count above capacity");
  const size_t rest = body.size() - kHnswHeaderSize;
  // Each element needs its level-0 record plus a 4-byte upper-links size.
  if (count > rest / (size_per_element + 4)) return fail("truncated (element data)");
  if (count == 0) {
    if (max_level != -1 || entry_point != UINT32_MAX || rest != 0)
      return fail("empty index with an entry point or trailing bytes");
    return HnswBodySummary{0, 0, m, ef_construction};
  }
  if (entry_point >= count || max_level < 0 || max_level > kMaxLevel)
    return fail("bad entry point or top level");

  // First pass: levels of every element (needed to check links into upper levels).
  const uint64_t links_upper = max_m * 4 + 4;
  const size_t level0_bytes = count * size_per_element;
  std::vector<int> levels(count);
  std::vector<size_t> upper_offsets(count);
  size_t pos = kHnswHeaderSize + level0_bytes;
  for (size_t i = 0; i < count; ++i) {
    if (body.size() - pos < 4)
      return fail("truncated (upper links of element " + std::to_string(i) + ")");
    const auto size = read_at<uint32_t>(body, pos);
    pos += 4;
    if (size % links_upper != 0 || size / links_upper > static_cast<uint64_t>(max_level))
      return fail("bad upper-level size for element " + std::to_string(i));
    if (body.size() - pos < size) return fail("truncated (upper links)");
    levels[i] = static_cast<int>(size / links_upper);
    upper_offsets[i] = pos;
    pos += size;
  }
  if (pos != body.size()) return fail(std::to_string(body.size() - pos) + " trailing bytes");
  if (levels[entry_point] != max_level) return fail("entry point is not on the top level");

  auto check_list = [&](size_t list_pos, uint64_t capacity, int level) -> bool {
    const auto n = read_at<uint16_t>(body, list_pos);
    if (n > capacity) return false;
    for (size_t j = 0; j < n; ++j) {
      const auto id = read_at<uint32_t>(body, list_pos + 4 + 4 * j);
      if (id >= count || levels[id] < level) return false;
    }
    return true;
  };

  HnswBodySummary summary{count, 0, m, ef_construction};
  std::unordered_set<uint64_t> labels;
  labels.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const size_t rec = kHnswHeaderSize + i * size_per_element;
    const auto flags = read_at<uint8_t>(body, rec + 2);
    if (flags > 1 || read_at<uint8_t>(body, rec + 3) != 0)
      return fail("bad flags on element " + std::to_string(i));
    if (flags == 0) ++summary.live_count;
    if (!check_list(rec, max_m0, 0))
      return fail("bad level-0 links on element " + std::to_string(i));
    for (int level = 1; level <= levels[i]; ++level)
      if (!check_list(upper_offsets[i] + static_cast<size_t>(level - 1) * links_upper, max_m,
                      level))
        return fail("bad level-" + std::to_string(level) + " links on element " +
                    std::to_string(i));
    for (size_t d = 0; d < dim; ++d)
      if (!std::isfinite(read_at<float>(body, rec + offset_data + 4 * d)))
        return fail("non-finite vector component in element " + std::to_string(i));
    if (!labels.insert(read_at<uint64_t>(body, rec + label_offset)).second)
      return fail("duplicate id in element " + std::to_string(i));
  }
  return summary;
}

}  // namespace tq
