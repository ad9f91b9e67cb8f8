// The on-disk framing of a saved vector index, independent of hnswlib's types:
//
//   offset size  field
//        0    8  magic "TQVECIDX"
//        8    4  format version (kIndexFormatVersion)
//       12    4  header size (64)
//       16    4  vector dimension
//       20    4  metric (VectorMetric value)
//       24    8  live vectors (not marked deleted)
//       32    8  stored elements (live + deleted)
//       40    8  store generation the index reflects (the SQLite side bumps it on change)
//       48    8  body size in bytes
//       56    4  CRC-32 (IEEE, zlib's) of the body
//       60    4  CRC-32 of header bytes [0, 60)
//       64    …  body: hnswlib 0.6's saveIndex() stream, unchanged
//
// All integers little-endian. hnswlib's loadIndex trusts its input (sizes, neighbour ids,
// levels), so validate_hnsw_body() checks every field and link a search or an insert
// would follow before the body is handed to it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "rag/vector/distance.h"

namespace tq {

inline constexpr char kIndexMagic[8] = {'T', 'Q', 'V', 'E', 'C', 'I', 'D', 'X'};
inline constexpr uint32_t kIndexFormatVersion = 1;
inline constexpr size_t kIndexHeaderSize = 64;

struct IndexFileHeader {
  uint32_t version = kIndexFormatVersion;
  uint32_t dim = 0;
  VectorMetric metric = VectorMetric::kCosine;
  uint64_t live_count = 0;
  uint64_t element_count = 0;
  uint64_t generation = 0;
  uint64_t body_size = 0;
  uint32_t body_crc = 0;
};

// CRC-32 as zlib computes it (reflected polynomial 0xEDB88320); `crc` chains calls.
uint32_t crc32_update(uint32_t crc, std::span<const std::byte> bytes);

void encode_index_header(const IndexFileHeader& h, std::byte out[kIndexHeaderSize]);

// Parses and checks magic, version, header size, metric and the header checksum. On
// failure returns nullopt and sets `why` to what is wrong.
std::optional<IndexFileHeader> decode_index_header(std::span<const std::byte> bytes,
                                                   std::string& why);

// What validate_hnsw_body() learnt from a sound body.
struct HnswBodySummary {
  uint64_t element_count = 0;
  uint64_t live_count = 0;
  uint64_t m = 0;
  uint64_t ef_construction = 0;
};

// Checks that `body` is a complete, self-consistent hnswlib 0.6 index of `dim`-float
// vectors: header fields agree with each other and with `dim`, the byte length matches
// exactly, every neighbour id is in range and points at a node that exists on that
// level, labels are unique, vectors are finite. Returns the reason on failure.
std::optional<HnswBodySummary> validate_hnsw_body(std::span<const std::byte> body, uint32_t dim,
                                                  std::string& why);

}  // namespace tq
