// libFuzzer entry point for the vector-index loader. The first input byte picks a mode:
//   even: the rest is a whole index file, loaded with the dimension and generation its
//         own header claims (so staleness does not stop the input at the header);
//   odd:  the rest is an hnswlib body of a (byte 2 % 32 + 1)-d index, wrapped in a header
//         with correct checksums, so mutations reach the structural checks that stand
//         between a file and hnswlib (a CRC is not something a fuzzer forges easily).
// A loaded index is then used: searches (with and without a filter), an insert, a
// removal. Any crash, sanitizer report or escaping exception is a finding; "damaged" is
// the expected answer for almost every input.
//
// Seeds (fuzz/corpus/vector_index/): small indexes saved by VectorIndex::save (0, 1, 5,
// 60 vectors of 4-d, cosine and L2, one with deletions), each also as an odd-mode body.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "rag/vector/index_file.h"
#include "rag/vector/vector_index.h"

namespace {

void exercise(tq::VectorIndex& index) {
  const uint32_t dim = index.options().dim;
  std::vector<float> query(dim, 0.5f);
  query[0] = 1.0f;
  (void)index.search(query, 5);
  (void)index.search(
      query, 3, [](int64_t id) { return id % 2 == 0; }, 50);
  index.add(123456789, query);
  (void)index.remove(123456789);
  (void)index.search(query, 10);
}

template <typename T>
T read_le(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  tq::VectorIndexOptions expected;
  expected.build_threads = 1;
  uint64_t generation = 0;
  std::vector<std::byte> file;
  if ((data[0] & 1) == 0) {
    const uint8_t* f = data + 1;
    const size_t n = size - 1;
    expected.dim = n >= 20 ? read_le<uint32_t>(f + 16) : 4;
    if (n >= 24 && read_le<uint32_t>(f + 20) == 2) expected.metric = tq::VectorMetric::kL2;
    generation = n >= 48 ? read_le<uint64_t>(f + 40) : 0;
    if (expected.dim == 0 || expected.dim > 4096) expected.dim = 4;
    file.resize(n);
    std::memcpy(file.data(), f, n);
  } else {
    expected.dim = static_cast<uint32_t>(data[1] % 32 + 1);
    if ((data[0] & 2) != 0) expected.metric = tq::VectorMetric::kL2;
    const std::span<const std::byte> body(reinterpret_cast<const std::byte*>(data + 2), size - 2);
    tq::IndexFileHeader h;
    h.dim = expected.dim;
    h.metric = expected.metric;
    h.generation = generation;
    h.body_size = body.size();
    h.body_crc = tq::crc32_update(0, body);
    std::string why;
    if (const auto summary = tq::validate_hnsw_body(body, expected.dim, why)) {
      h.element_count = summary->element_count;
      h.live_count = summary->live_count;
    }
    file.resize(tq::kIndexHeaderSize + body.size());
    tq::encode_index_header(h, file.data());
    if (!body.empty()) std::memcpy(file.data() + tq::kIndexHeaderSize, body.data(), body.size());
  }
  auto result = tq::VectorIndex::load_from_bytes(file, expected, generation);
  if (result.status == tq::IndexLoadStatus::kOk) exercise(*result.index);
  return 0;
}

#ifdef TQ_GEN_VECTOR_CORPUS
// Writes the seed corpus (run from the repository root):
//   g++ -std=c++20 -O1 -DTQ_GEN_VECTOR_CORPUS -I src fuzz/fuzz_vector_index.cpp \
//     src/rag/vector/*.cpp src/core/thread_pool.cpp src/core/error.cpp -lpthread -o gen \
//   && ./gen fuzz/corpus/vector_index
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  struct Seed {
    const char* name;
    size_t n;
    tq::VectorMetric metric;
    bool with_deletion;
  };
  const Seed seeds[] = {{"empty", 0, tq::VectorMetric::kCosine, false},
                        {"one", 1, tq::VectorMetric::kCosine, false},
                        {"five_l2", 5, tq::VectorMetric::kL2, false},
                        {"sixty", 60, tq::VectorMetric::kCosine, false},
                        {"sixty_deleted", 60, tq::VectorMetric::kCosine, true}};
  for (const Seed& s : seeds) {
    tq::VectorIndexOptions o;
    o.dim = 4;
    o.metric = s.metric;
    o.m = 4;
    o.ef_construction = 8;
    o.build_threads = 1;
    tq::VectorIndex index(o);
    for (size_t i = 0; i < s.n; ++i) {
      const float x = static_cast<float>(i);
      const std::vector<float> v{std::cos(x), std::sin(x), 0.5f + 0.01f * x, 1.0f};
      index.add(static_cast<int64_t>(i) * 2, v);
    }
    if (s.with_deletion) index.remove(10);
    const auto file = dir / (std::string(s.name) + ".tqvec");
    index.save(file, 3);
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::filesystem::remove(file);
    // Even mode: the whole file. Odd mode: the body for a 4-d index (byte 2 % 32 + 1 == 4);
    // first byte 3 = odd + L2, 1 = odd + cosine.
    std::ofstream(dir / (std::string(s.name) + ".file"), std::ios::binary) << '\0' << bytes;
    std::ofstream(dir / (std::string(s.name) + ".body"), std::ios::binary)
        << (s.metric == tq::VectorMetric::kL2 ? '\3' : '\1') << '\3'
        << bytes.substr(tq::kIndexHeaderSize);
  }
  return 0;
}
#endif
