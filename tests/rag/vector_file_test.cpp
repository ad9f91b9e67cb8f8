// Persistence: save/load round trips, staleness, and damaged files of every kind
// reported as such (never a crash, never a half-loaded index).
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "core/error.h"
#include "rag/vector/index_file.h"
#include "rag/vector/vector_index.h"
#include "rag/vector_test_support.h"
#include "support/gold.h"

namespace tq {
namespace {

constexpr size_t kDim = 24;
constexpr size_t kCount = 600;

VectorIndexOptions options() {
  VectorIndexOptions o;
  o.dim = kDim;
  o.m = 8;
  o.ef_construction = 64;
  o.ef_search = 32;
  o.build_threads = 2;
  return o;
}

const std::vector<float>& rows() {
  static const auto r = test::clustered_vectors(kCount, kDim, 12, 0.1f, 21);
  return r;
}

std::unique_ptr<VectorIndex> build() {
  auto index = std::make_unique<VectorIndex>(options());
  std::vector<int64_t> ids;
  for (size_t i = 0; i < kCount; ++i) ids.push_back(static_cast<int64_t>(i) * 10 + 7);
  index->add_batch(ids, rows());
  return index;
}

std::vector<std::byte> read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(chars.size());
  std::memcpy(out.data(), chars.data(), chars.size());
  return out;
}

void write_bytes(const std::filesystem::path& p, std::span<const std::byte> bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// A saved index's bytes, built once per process.
const std::vector<std::byte>& saved_bytes() {
  static const std::vector<std::byte> bytes = [] {
    const auto path = test::scratch_dir("vector_file") / "base.tqvec";
    build()->save(path, 42);
    return read_bytes(path);
  }();
  return bytes;
}

IndexLoadStatus load_status(std::span<const std::byte> bytes, std::string* message = nullptr) {
  const auto r = VectorIndex::load_from_bytes(bytes, options(), 42);
  if (message != nullptr) *message = r.message;
  EXPECT_EQ(r.index != nullptr, r.status == IndexLoadStatus::kOk);
  return r.status;
}

TEST(VectorIndexFile, SaveLoadRoundTripGivesIdenticalResults) {
  const auto dir = test::scratch_dir("vector_file_roundtrip");
  const auto path = dir / "index.tqvec";
  const auto index = build();
  ASSERT_TRUE(index->remove(17));  // deletions survive the trip
  index->save(path, 7);
  const auto loaded = VectorIndex::load(path, options(), 7);
  ASSERT_EQ(loaded.status, IndexLoadStatus::kOk) << loaded.message;
  ASSERT_NE(loaded.index, nullptr);
  EXPECT_EQ(loaded.generation, 7U);
  EXPECT_EQ(loaded.index->size(), kCount - 1);
  EXPECT_EQ(loaded.index->deleted_count(), 1U);
  EXPECT_EQ(loaded.index->options().m, 8U);
  EXPECT_EQ(loaded.index->options().ef_construction, 64U);
  const auto queries = test::clustered_vectors(50, kDim, 12, 0.1f, 22);
  for (size_t q = 0; q < 50; ++q) {
    const std::span<const float> query(&queries[q * kDim], kDim);
    EXPECT_EQ(loaded.index->search(query, 10), index->search(query, 10)) << "query " << q;
    const auto odd = [](int64_t id) { return (id / 10) % 2 == 1; };
    EXPECT_EQ(loaded.index->search(query, 5, odd), index->search(query, 5, odd));
  }
  // The loaded index keeps working: add, remove, save again.
  loaded.index->add(5, std::span<const float>(queries.data(), kDim));
  EXPECT_EQ(loaded.index->search(std::span<const float>(queries.data(), kDim), 1)[0].id, 5);
  EXPECT_TRUE(loaded.index->remove(27));
  loaded.index->save(path, 8);
  const auto again = VectorIndex::load(path, options(), 8);
  ASSERT_EQ(again.status, IndexLoadStatus::kOk) << again.message;
  EXPECT_EQ(again.index->size(), kCount - 1);
  // No temporary files left behind by the atomic save.
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1U);
}

TEST(VectorIndexFile, EmptyIndexRoundTrips) {
  const auto path = test::scratch_dir("vector_file_empty") / "empty.tqvec";
  VectorIndex(options()).save(path, 1);
  const auto r = VectorIndex::load(path, options(), 1);
  ASSERT_EQ(r.status, IndexLoadStatus::kOk) << r.message;
  EXPECT_EQ(r.index->size(), 0U);
  r.index->add(3, std::span<const float>(rows().data(), kDim));
  EXPECT_EQ(r.index->search(std::span<const float>(rows().data(), kDim), 3).size(), 1U);
}

TEST(VectorIndexFile, StaleAndMissingAreToldApart) {
  const auto dir = test::scratch_dir("vector_file_stale");
  EXPECT_EQ(VectorIndex::load(dir / "absent.tqvec", options(), 1).status,
            IndexLoadStatus::kMissing);
  const auto path = dir / "index.tqvec";
  build()->save(path, 41);
  const auto stale = VectorIndex::load(path, options(), 42);
  EXPECT_EQ(stale.status, IndexLoadStatus::kStale);
  EXPECT_EQ(stale.generation, 41U);
  EXPECT_EQ(stale.index, nullptr);
  EXPECT_NE(stale.message.find("generation 41"), std::string::npos) << stale.message;
  VectorIndexOptions other = options();
  other.dim = kDim + 1;  // the embedding model changed
  EXPECT_EQ(VectorIndex::load(path, other, 41).status, IndexLoadStatus::kStale);
  other = options();
  other.metric = VectorMetric::kL2;
  EXPECT_EQ(VectorIndex::load(path, other, 41).status, IndexLoadStatus::kStale);
  EXPECT_EQ(VectorIndex::load(path, options(), 41).status, IndexLoadStatus::kOk);
}

TEST(VectorIndexFile, TruncatedFilesAreDamaged) {
  const auto& good = saved_bytes();
  ASSERT_EQ(load_status(good), IndexLoadStatus::kOk);
  for (const size_t keep :
       {size_t{0}, size_t{1}, size_t{8}, size_t{63}, size_t{64}, size_t{65}, size_t{64 + 95},
        size_t{64 + 96}, good.size() / 2, good.size() - 4, good.size() - 1}) {
    std::string why;
    EXPECT_EQ(load_status(std::span(good).first(keep), &why), IndexLoadStatus::kDamaged)
        << "kept " << keep << " bytes";
    EXPECT_FALSE(why.empty());
  }
  auto longer = good;
  longer.push_back(std::byte{0});
  EXPECT_EQ(load_status(longer), IndexLoadStatus::kDamaged);
}

TEST(VectorIndexFile, EveryFlippedBitIsCaught) {
  const auto& good = saved_bytes();
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<size_t> pos(0, good.size() - 1);
  std::vector<size_t> offsets;
  for (size_t i = 0; i < 64; ++i) offsets.push_back(i);  // every header byte
  for (int i = 0; i < 300; ++i) offsets.push_back(pos(rng));
  for (const size_t off : offsets) {
    auto bad = good;
    bad[off] ^= std::byte{static_cast<unsigned char>(1U << (off % 8))};
    const auto status = load_status(bad);
    // A flipped generation field is a valid header for another generation (its checksum
    // is over the header, so it cannot pass): either way the caller rebuilds.
    EXPECT_EQ(status, IndexLoadStatus::kDamaged) << "bit flipped at byte " << off;
  }
}

TEST(VectorIndexFile, GarbageIsDamaged) {
  std::mt19937_64 rng(9);
  for (const size_t size : {size_t{10}, size_t{64}, size_t{4096}, size_t{100000}}) {
    std::vector<std::byte> junk(size);
    for (auto& b : junk) b = std::byte{static_cast<unsigned char>(rng())};
    EXPECT_EQ(load_status(junk), IndexLoadStatus::kDamaged);
    // Garbage behind a valid magic too.
    std::memcpy(junk.data(), kIndexMagic, std::min(size, sizeof kIndexMagic));
    EXPECT_EQ(load_status(junk), IndexLoadStatus::kDamaged);
  }
  const auto path = test::scratch_dir("vector_file_garbage") / "not-an-index.tqvec";
  write_bytes(path, std::vector<std::byte>(1000, std::byte{'x'}));
  EXPECT_EQ(VectorIndex::load(path, options(), 42).status, IndexLoadStatus::kDamaged);
  // A folder where the file should be.
  EXPECT_EQ(VectorIndex::load(path.parent_path(), options(), 42).status, IndexLoadStatus::kDamaged);
}

// Re-stamps a modified body with correct checksums: only the structural checks stand
// between such a file and hnswlib.
std::vector<std::byte> restamp(std::vector<std::byte> file) {
  std::string why;
  auto header = decode_index_header(file, why);
  EXPECT_TRUE(header.has_value()) << why;
  header->body_crc = crc32_update(0, std::span(file).subspan(kIndexHeaderSize));
  encode_index_header(*header, file.data());
  return file;
}

template <typename T>
void poke(std::vector<std::byte>& file, size_t body_offset, T value) {
  std::memcpy(file.data() + kIndexHeaderSize + body_offset, &value, sizeof value);
}

TEST(VectorIndexFile, CorruptGraphsWithValidChecksumsAreDamaged) {
  const auto& good = saved_bytes();
  ASSERT_EQ(load_status(restamp(good)), IndexLoadStatus::kOk);
  // hnswlib body layout (index_file.h): M = 8, so level-0 records are 2·8·4 + 4 = 68 bytes
  // of links, then 24 floats, then the 8-byte label; the stream header is 96 bytes.
  const size_t record = 68 + kDim * 4 + 8;
  const size_t first = 96;
  struct Case {
    const char* what;
    std::function<void(std::vector<std::byte>&)> damage;
  };
  const std::vector<Case> cases = {
      {"neighbour id out of range",
       [&](auto& f) { poke<uint32_t>(f, first + 5 * record + 4, 0xFFFFFFF0U); }},
      {"neighbour count above 2M",
       [&](auto& f) { poke<uint16_t>(f, first + 3 * record, uint16_t{17}); }},
      {"unknown flag bits", [&](auto& f) { poke<uint8_t>(f, first + 2, uint8_t{0x80}); }},
      {"element count larger than the data", [&](auto& f) { poke<uint64_t>(f, 16, 1'000'000); }},
      {"huge element count", [&](auto& f) { poke<uint64_t>(f, 16, UINT64_MAX / 2); }},
      {"capacity below count", [&](auto& f) { poke<uint64_t>(f, 8, 1); }},
      {"entry point out of range", [&](auto& f) { poke<uint32_t>(f, 52, 0xFFFFFFFFU); }},
      {"top level too high", [&](auto& f) { poke<int32_t>(f, 48, 1000); }},
      {"M of zero", [&](auto& f) { poke<uint64_t>(f, 72, 0); }},
      {"layout for another dimension", [&](auto& f) { poke<uint64_t>(f, 24, record + 4); }},
      {"NaN in a vector", [&](auto& f) { poke<float>(f, first + 7 * record + 68, NAN); }},
      {"duplicate label",
       [&](auto& f) {
         uint64_t label = 0;
         std::memcpy(&label, f.data() + kIndexHeaderSize + first + record - 8, 8);
         poke<uint64_t>(f, first + 2 * record - 8, label);
       }},
      {"upper-level size not a multiple of the list size",
       [&](auto& f) { poke<uint32_t>(f, first + kCount * record, 3U); }},
  };
  for (const auto& c : cases) {
    auto bad = good;
    c.damage(bad);
    std::string why;
    EXPECT_EQ(load_status(restamp(bad), &why), IndexLoadStatus::kDamaged) << c.what;
    std::cout << c.what << " → " << why << "\n";
  }
}

TEST(VectorIndexFile, SaveReplacesAtomicallyAndReportsUnwritableFolders) {
  const auto dir = test::scratch_dir("vector_file_atomic");
  const auto path = dir / "index.tqvec";
  build()->save(path, 1);
  VectorIndex(options()).save(path, 2);  // replaces the full one
  const auto r = VectorIndex::load(path, options(), 2);
  ASSERT_EQ(r.status, IndexLoadStatus::kOk) << r.message;
  EXPECT_EQ(r.index->size(), 0U);
  EXPECT_THROW(build()->save(dir / "no-such-folder" / "index.tqvec", 1), Error);
}

}  // namespace
}  // namespace tq
