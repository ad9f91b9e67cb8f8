// The SSE parser against the WHATWG HTML standard's own examples (§9.2.6 "Interpreting an
// event stream") and the split-anywhere property network chunks need.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "providers/sse.h"

namespace tq {
namespace {

std::vector<SseEvent> parse_chunked(const std::string& text, size_t chunk) {
  std::vector<SseEvent> out;
  SseParser p([&](const SseEvent& e) { out.push_back(e); });
  for (size_t i = 0; i < text.size(); i += chunk) p.feed(std::string_view(text).substr(i, chunk));
  return out;
}

TEST(Sse, SpecExampleMultiLineData) {
  // The standard's example: two data lines join with a newline; the comment is skipped.
  const std::string s =
      ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third "
      "event\n\n";
  const auto ev = parse_chunked(s, s.size());
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].data, "first event");
  EXPECT_EQ(ev[1].data, "second event");
  EXPECT_EQ(ev[2].data, " third event");  // only one leading space is removed
}

TEST(Sse, SpecExampleEmptyDataFields) {
  // "data\n\ndata\ndata\n\ndata:" → events "" and "\n"; the last, unterminated, is dropped.
  const auto ev = parse_chunked("data\n\ndata\ndata\n\ndata:", 100);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].data, "");
  EXPECT_EQ(ev[1].data, "\n");
}

TEST(Sse, SpecExampleYoHo) {
  const auto ev = parse_chunked("data:YHOO\ndata: +2\ndata: 10\n\n", 3);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].data, "YHOO\n+2\n10");
}

TEST(Sse, CrLfAndCrLineEndsSplitAcrossChunks) {
  const std::string s = "event: delta\r\ndata: a\r\n\r\ndata: b\r\rdata: c\n\n";
  for (size_t chunk = 1; chunk <= s.size(); ++chunk) {
    const auto ev = parse_chunked(s, chunk);
    ASSERT_EQ(ev.size(), 3u) << "chunk " << chunk;
    EXPECT_EQ(ev[0].event, "delta");
    EXPECT_EQ(ev[0].data, "a");
    EXPECT_EQ(ev[1].event, "");
    EXPECT_EQ(ev[1].data, "b");
    EXPECT_EQ(ev[2].data, "c");
  }
}

TEST(Sse, OpenAiStreamWithDoneAndUtf8SplitInsideCharacters) {
  const std::string s =
      "data: {\"choices\":[{\"delta\":{\"content\":\"Été à 20 €\"}}]}\n\n: keep-alive\n\ndata: "
      "[DONE]\n\n";
  for (size_t chunk = 1; chunk < 8; ++chunk) {
    const auto ev = parse_chunked(s, chunk);
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[0].data, "{\"choices\":[{\"delta\":{\"content\":\"Été à 20 €\"}}]}");
    EXPECT_EQ(ev[1].data, "[DONE]");
  }
}

TEST(Sse, PendingTellsAnUnfinishedEvent) {
  SseParser p([](const SseEvent&) {});
  EXPECT_FALSE(p.pending());
  p.feed("data: half");
  EXPECT_TRUE(p.pending());
  p.feed("\n\n");
  EXPECT_FALSE(p.pending());
}

TEST(Sse, OverlongLineIsAnError) {
  SseParser p([](const SseEvent&) {}, 16);
  EXPECT_THROW(p.feed("data: 0123456789abcdefghij"), std::length_error);
}

}  // namespace
}  // namespace tq
