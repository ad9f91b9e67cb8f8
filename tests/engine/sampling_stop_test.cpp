// Stop strings across streamed chunks: what is emitted, what is held back, where it ends.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "engine/sampling/stop_strings.h"

namespace tq {
namespace {

// Feeds the chunks in turn; returns everything emitted (plus the flush if no stop).
std::string stream(StopStringMatcher& m, const std::vector<std::string>& chunks) {
  std::string out;
  for (const auto& c : chunks) {
    auto step = m.feed(c);
    out += step.emit;
    if (step.stopped) return out;
  }
  return out + m.flush();
}

TEST(StopStringMatcher, PassesTextThroughWithoutStops) {
  StopStringMatcher m({"</s>"});
  auto step = m.feed("Hello world");
  EXPECT_EQ(step.emit, "Hello world");
  EXPECT_FALSE(step.stopped);
  EXPECT_EQ(m.flush(), "");
  StopStringMatcher none({});
  EXPECT_EQ(none.feed("abc<").emit, "abc<");
}

TEST(StopStringMatcher, StopInsideOneChunkDropsItAndWhatFollows) {
  StopStringMatcher m({"User:", "###"});
  auto step = m.feed("The answer is 4.### ignored");
  EXPECT_TRUE(step.stopped);
  EXPECT_EQ(step.emit, "The answer is 4.");
  EXPECT_EQ(m.matched(), 1u);
  auto after = m.feed("more");
  EXPECT_EQ(after.emit, "");
  EXPECT_TRUE(m.stopped());
}

TEST(StopStringMatcher, StopSplitOverThreeChunks) {
  StopStringMatcher m({"<|im_end|>"});
  auto a = m.feed("Bonjour <|im");
  EXPECT_EQ(a.emit, "Bonjour ");
  EXPECT_FALSE(a.stopped);
  EXPECT_EQ(m.held(), 4u);
  auto b = m.feed("_en");
  EXPECT_EQ(b.emit, "");
  EXPECT_FALSE(b.stopped);
  auto c = m.feed("d|> trailing");
  EXPECT_EQ(c.emit, "");
  EXPECT_TRUE(c.stopped);
  EXPECT_EQ(m.matched(), 0u);
}

TEST(StopStringMatcher, PartialPrefixThatIsNotAStopIsReleased) {
  StopStringMatcher m({"</s>"});
  auto a = m.feed("a </");
  EXPECT_EQ(a.emit, "a ");
  auto b = m.feed("b> c");
  EXPECT_EQ(b.emit, "</b> c");
  EXPECT_FALSE(b.stopped);
  EXPECT_EQ(m.held(), 0u);
}

TEST(StopStringMatcher, OverlappingPrefixHoldsOnlyWhatCouldStillMatch) {
  StopStringMatcher m({"aab"});
  EXPECT_EQ(m.feed("aaa").emit, "a");  // "aa" could start "aab"
  auto step = m.feed("b");
  EXPECT_TRUE(step.stopped);
  EXPECT_EQ(step.emit, "");
}

TEST(StopStringMatcher, EarliestStopWins) {
  StopStringMatcher m({"END", "\n\n"});
  auto step = m.feed("foo\n\nbar END");
  EXPECT_TRUE(step.stopped);
  EXPECT_EQ(step.emit, "foo");
  EXPECT_EQ(m.matched(), 1u);
}

TEST(StopStringMatcher, FlushReleasesAHeldPrefixAtTheEnd) {
  StopStringMatcher m({"###"});
  EXPECT_EQ(m.feed("x ##").emit, "x ");
  EXPECT_EQ(m.flush(), "##");
  EXPECT_FALSE(m.stopped());
}

TEST(StopStringMatcher, HoldsSplitUtf8CharactersUntilComplete) {
  StopStringMatcher m({});
  EXPECT_EQ(m.feed("caf\xC3").emit, "caf");
  EXPECT_EQ(m.feed("\xA9 ok").emit, "\xC3\xA9 ok");
  // A 4-byte emoji (U+1F600) arriving one byte at a time.
  EXPECT_EQ(m.feed("\xF0").emit, "");
  EXPECT_EQ(m.feed("\x9F").emit, "");
  EXPECT_EQ(m.feed("\x98").emit, "");
  EXPECT_EQ(m.feed("\x80!").emit, "\xF0\x9F\x98\x80!");
}

TEST(StopStringMatcher, MultibyteStopSplitInsideACharacter) {
  // "→" is E2 86 92; the chunks cut through it.
  StopStringMatcher m({"\xE2\x86\x92 fin"});
  EXPECT_EQ(stream(m, {"voil\xC3\xA0 \xE2\x86", "\x92 fi", "n et plus"}), "voil\xC3\xA0 ");
  EXPECT_TRUE(m.stopped());
}

TEST(StopStringMatcher, MultibyteTextWithoutStopIsIntact) {
  StopStringMatcher m({"\xC3\xA9t\xC3\xA9 fini"});  // "été fini"
  const std::string text = "Cet \xC3\xA9t\xC3\xA9 fut long, \xC3\xA9videmment.";
  std::vector<std::string> chunks;
  for (size_t i = 0; i < text.size(); i += 3) chunks.push_back(text.substr(i, 3));
  EXPECT_EQ(stream(m, chunks), text);
  EXPECT_FALSE(m.stopped());
}

TEST(StopStringMatcher, ResetStartsOver) {
  StopStringMatcher m({"STOP"});
  EXPECT_TRUE(m.feed("go STOP").stopped);
  m.reset();
  EXPECT_FALSE(m.stopped());
  EXPECT_EQ(m.feed("again").emit, "again");
}

TEST(StopStringMatcher, EmptyStopStringIsRejected) {
  EXPECT_THROW(StopStringMatcher({"ok", ""}), InputError);
}

TEST(StopStringMatcher, IncompleteUtf8Tail) {
  EXPECT_EQ(incomplete_utf8_tail(""), 0u);
  EXPECT_EQ(incomplete_utf8_tail("abc"), 0u);
  EXPECT_EQ(incomplete_utf8_tail("a\xC3"), 1u);
  EXPECT_EQ(incomplete_utf8_tail("a\xC3\xA9"), 0u);
  EXPECT_EQ(incomplete_utf8_tail("\xE2\x86"), 2u);
  EXPECT_EQ(incomplete_utf8_tail("\xF0\x9F\x98"), 3u);
  EXPECT_EQ(incomplete_utf8_tail("\xF0\x9F\x98\x80"), 0u);
  EXPECT_EQ(incomplete_utf8_tail("\x80\x80\x80"), 0u);  // no lead byte: nothing to wait for
  EXPECT_EQ(incomplete_utf8_tail("a\xFF"), 0u);         // invalid lead byte
}

}  // namespace
}  // namespace tq
