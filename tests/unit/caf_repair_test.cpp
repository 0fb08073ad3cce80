// inspect_caf and repair_caf (formats/caf/caf_repair.cpp): a packet CAF whose recorder died
// after a checkpoint is rebuilt from its journal and decodes with every packet on disk; a cut
// last packet is dropped; a missing, damaged or foreign journal is 65; a PCM CAF of size -1
// gets its real size; malformed files are 65 with the offset.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "formats/caf/caf_chunks.h"
#include "formats/caf/packet_journal.h"
#include "formats/inspect/file_info.h"
#include "formats/inspect/modules.h"
#include "formats/new_file.h"
#include "formats/pcm_encode.h"
#include "formats/writer.h"
#include "tests/support/decode.h"
#include "tests/support/files.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/caf_test_util.h"

namespace sc::formats {
namespace {

namespace fs = std::filesystem;
using sc::test::read_file;
using sc::test::TempDir;
using sc::test::write_file;

// A recorder that writes `signal`, checkpoints and dies without close(), in a child process.
void record_and_die(const std::string& path, const WriterSpec& spec,
                    const std::vector<float>& signal) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto w = create_file_writer(path, spec, false);
    if (!w) ::_exit(2);
    if (!test::feed(**w, signal, spec.channels)) ::_exit(3);
    if (!(*w)->checkpoint()) ::_exit(4);
    ::_exit(0);  // no close(): no packet table, data size -1
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
}

struct Case {
  Codec codec;
  unsigned channels;
  unsigned rate;
};

TEST(CafRepair, CrashedRecordingIsRebuiltFromItsJournal) {
  const Case cases[] = {{Codec::aac, 2, 48000},
                        {Codec::aac, 1, 44100},
                        {Codec::alac, 2, 48000},
                        {Codec::alac, 1, 22050},
                        {Codec::alac24, 2, 44100}};
  TempDir dir;
  for (const Case& c : cases) {
    const std::string tag = fmt::format("{}-{}-{}", name(c.codec), c.channels, c.rate);
    SCOPED_TRACE(tag);
    const std::string path = dir.file(tag + ".caf");
    const std::string journal = caf::journal_path(path);
    const size_t handed = c.rate * 3 + 321;
    const std::vector<float> signal = test::caf_signal(handed, c.channels, c.rate);
    record_and_die(path, test::caf_spec(c.codec, c.rate, c.channels), signal);
    ASSERT_TRUE(fs::exists(journal));
    EXPECT_FALSE(being_written(path));
    const size_t fpp = c.codec == Codec::aac ? 1024 : 4096;

    auto before = inspect_caf(path);
    ASSERT_TRUE(before) << before.error().message;
    EXPECT_FALSE(before->finalized);
    EXPECT_EQ(before->repair.value_or(""),
              "rebuild the packet table from " + fs::path(journal).filename().string());
    // What the encoder had turned into packets: all but what its FIFO held (less than a
    // packet) and, for AAC, its one-packet delay; the priming frames do not count.
    const uint64_t frames = before->frames;
    const size_t priming = c.codec == Codec::aac ? 1024 : 0;
    EXPECT_LE(frames, handed);
    EXPECT_GT(frames + fpp + priming * 2, handed);
    EXPECT_EQ(frames % fpp, 0u);

    const std::string caf_bytes = read_file(path), journal_bytes = read_file(journal);
    const std::string out = dir.file(tag + "-fixed.caf");
    auto did = repair_caf(path, out);
    ASSERT_TRUE(did) << did.error().message;
    EXPECT_NE(did->find("rebuilt the packet table of"), std::string::npos) << *did;
    EXPECT_EQ(read_file(path), caf_bytes) << "the damaged file was changed";
    EXPECT_EQ(read_file(journal), journal_bytes) << "the journal was changed";

    auto after = inspect_caf(out);
    ASSERT_TRUE(after) << after.error().message;
    EXPECT_TRUE(after->finalized);
    EXPECT_FALSE(after->repair.has_value());
    EXPECT_EQ(after->frames, frames);
    EXPECT_EQ(test::ffmpeg_complaints(out), "");
    const test::Decoded d = test::decode_ffmpeg(out);
    ASSERT_TRUE(d.ok) << d.error;
    if (c.codec == Codec::aac) {
      EXPECT_EQ(d.frames, frames + 1024);  // FFmpeg 5.1 keeps the priming frames
    } else {
      ASSERT_EQ(d.frames, frames);
      const test::SndInts s = test::read_sndfile_ints(out);
      ASSERT_TRUE(s.ok) << "libsndfile: " << s.error;
      ASSERT_EQ(static_cast<uint64_t>(s.info.frames), frames);
      const int shift = c.codec == Codec::alac ? 16 : 8;
      size_t mismatches = 0;
      for (size_t i = 0; i < s.ints.size(); ++i)
        mismatches += (s.ints[i] >> shift) != (to_int32(signal[i]) >> shift);
      EXPECT_EQ(mismatches, 0u);
    }

    // The CAF cut in the middle of its last packet: that packet goes, the rest stays.
    const std::string cut = dir.file(tag + "-cut.caf");
    write_file(cut, caf_bytes.substr(0, caf_bytes.size() - 10));
    write_file(caf::journal_path(cut), journal_bytes);
    const std::string cut_out = dir.file(tag + "-cut-fixed.caf");
    auto cut_did = repair_caf(cut, cut_out);
    ASSERT_TRUE(cut_did) << cut_did.error().message;
    EXPECT_NE(cut_did->find("dropped 1 packet cut short"), std::string::npos) << *cut_did;
    auto cut_info = inspect_caf(cut_out);
    ASSERT_TRUE(cut_info) << cut_info.error().message;
    EXPECT_EQ(cut_info->frames, frames - fpp);
    EXPECT_EQ(test::ffmpeg_complaints(cut_out), "");

    // Without its journal: 65, naming the journal it needs.
    const std::string lone = dir.file(tag + "-lone.caf");
    write_file(lone, caf_bytes);
    auto lone_info = inspect_caf(lone);
    ASSERT_TRUE(lone_info) << lone_info.error().message;
    EXPECT_FALSE(lone_info->finalized);
    EXPECT_NE(lone_info->repair.value_or("").find("missing"), std::string::npos);
    auto lone_did = repair_caf(lone, dir.file(tag + "-lone-fixed.caf"));
    ASSERT_FALSE(lone_did);
    EXPECT_EQ(lone_did.error().exit, Exit::data);
    EXPECT_NE(lone_did.error().message.find(caf::journal_path(lone)), std::string::npos)
        << lone_did.error().message;
    EXPECT_NE(lone_did.error().message.find("missing"), std::string::npos);
    EXPECT_FALSE(fs::exists(dir.file(tag + "-lone-fixed.caf")));

    // A garbage journal, and one whose header is another file's: 65, no output.
    const std::string junk = dir.file(tag + "-junk.caf");
    write_file(junk, caf_bytes);
    write_file(caf::journal_path(junk), std::string(200, '\x5a'));
    auto junk_did = repair_caf(junk, dir.file(tag + "-junk-fixed.caf"));
    ASSERT_FALSE(junk_did);
    EXPECT_EQ(junk_did.error().exit, Exit::data);
    std::string foreign_journal = journal_bytes;
    foreign_journal[20] ^= 1;  // the rate
    write_file(caf::journal_path(junk), foreign_journal);
    auto foreign_did = repair_caf(junk, dir.file(tag + "-junk-fixed.caf"));
    ASSERT_FALSE(foreign_did);
    EXPECT_EQ(foreign_did.error().exit, Exit::data);
    EXPECT_NE(foreign_did.error().message.find("rate"), std::string::npos)
        << foreign_did.error().message;
    EXPECT_FALSE(fs::exists(dir.file(tag + "-junk-fixed.caf")));

    // The output must be new.
    auto again = repair_caf(path, out);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().exit, Exit::cannot_create);
  }
}

// A file size limit (as a full disk) hit by the data or only by close(): the file is either
// finished with the packets that reached the disk, or close() says 74 with the repair hint and
// the journal stays for repair. In a child, for the limit.
// Killed after the packet table went in but before the journal was removed: the file is
// finalized, info names the leftover, repair removes only the journal (with -o: nothing).
TEST(CafRepair, ALeftoverJournalBesideAFinalizedFileIsRemoved) {
  TempDir dir;
  const std::string path = dir.file("done.caf");
  const WriterSpec spec = test::caf_spec(Codec::aac, 48000, 2);
  {
    auto w = create_file_writer(path, spec, false);
    ASSERT_TRUE(w) << w.error().message;
    ASSERT_TRUE(test::feed(**w, test::caf_signal(48000, 2, 48000), 2));
    ASSERT_TRUE((*w)->close());
  }
  const std::string journal = caf::journal_path(path);
  write_file(journal, "SCPKTJNL leftover");
  const std::string before = read_file(path);
  auto info = inspect_file(path);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_TRUE(info->finalized);
  ASSERT_TRUE(info->repair);
  EXPECT_NE(info->repair->find("leftover journal"), std::string::npos) << *info->repair;
  auto elsewhere = repair_file(path, dir.file("copy.caf"));
  ASSERT_TRUE(elsewhere) << elsewhere.error().message;
  EXPECT_FALSE(elsewhere->changed);
  EXPECT_TRUE(std::filesystem::exists(journal));
  auto r = repair_file(path, "");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->changed);
  EXPECT_FALSE(std::filesystem::exists(journal));
  EXPECT_EQ(read_file(path), before);
  EXPECT_EQ(r->after.frames, 48000u);
}

TEST(CafRepair, FullDiskLeavesAFinishedOrRepairableFile) {
  TempDir dir;
  for (const bool only_close : {true, false}) {
    SCOPED_TRACE(only_close ? "limit hit by close()" : "limit hit while writing");
    const std::string path = dir.file(only_close ? "close.caf" : "write.caf");
    const std::vector<float> signal = test::caf_signal(48000 * 3, 2, 48000);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::signal(SIGXFSZ, SIG_IGN);
      auto w = create_file_writer(path, test::caf_spec(Codec::alac, 48000, 2), false);
      if (!w) ::_exit(2);
      const size_t half = signal.size() / 2;
      if (!(*w)->write(signal.data(), half / 2) || !(*w)->checkpoint()) ::_exit(3);
      struct stat st {};
      ::stat(path.c_str(), &st);
      const auto limit = static_cast<rlim_t>(st.st_size + (only_close ? 0 : 50000));
      const rlimit rl{limit, limit};
      ::setrlimit(RLIMIT_FSIZE, &rl);
      if (!only_close) {
        Status s = (*w)->write(signal.data() + half, half / 2);
        if (s) s = (*w)->checkpoint();
        if (s || s.error().exit != Exit::io) ::_exit(4);
        if ((*w)->write(signal.data(), 1)) ::_exit(5);  // the error sticks
      }
      Status closed = (*w)->close();
      if (closed) ::_exit(0);
      if (closed.error().exit == Exit::io &&
          closed.error().hint.find("soundcheck repair") != std::string::npos)
        ::_exit(10);
      ::_exit(6);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << status;
    const int code = WEXITSTATUS(status);
    ASSERT_TRUE(code == 0 || code == 10) << "child failed at step " << code;
    if (only_close) {
      EXPECT_EQ(code, 10);
    }
    std::string final_path = path;
    if (code == 10) {
      ASSERT_TRUE(fs::exists(caf::journal_path(path)));
      auto info = inspect_caf(path);
      ASSERT_TRUE(info) << info.error().message;
      EXPECT_FALSE(info->finalized);
      final_path = path + ".fixed.caf";
      auto did = repair_caf(path, final_path);
      ASSERT_TRUE(did) << did.error().message;
    } else {
      EXPECT_FALSE(fs::exists(caf::journal_path(path)));
    }
    auto info = inspect_caf(final_path);
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_TRUE(info->finalized);
    EXPECT_GT(info->frames, 48000u * 3 / 4 - 4096 * 2);
    EXPECT_EQ(test::ffmpeg_complaints(final_path), "");
    const test::SndInts s = test::read_sndfile_ints(final_path);
    ASSERT_TRUE(s.ok) << s.error;
    EXPECT_EQ(static_cast<uint64_t>(s.info.frames), info->frames);
  }
}

TEST(CafRepair, PcmCafOfUnknownSizeGetsItsSize) {
  TempDir dir;
  for (Codec codec : {Codec::pcm16, Codec::pcm24, Codec::float32}) {
    SCOPED_TRACE(name(codec));
    const std::string path = dir.file(fmt::format("{}.caf", name(codec)));
    const size_t frames = 48000 + 77;
    const std::vector<float> signal = test::caf_signal(frames, 2, 48000);
    {
      // O_APPEND: the stream writer cannot patch sizes, so the file keeps data size -1.
      UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
      ASSERT_GE(fd.get(), 0);
      auto w = create_stream_writer(fd.get(), "stdout", test::caf_spec(codec, 48000, 2));
      ASSERT_TRUE(w) << w.error().message;
      ASSERT_TRUE(test::feed(**w, signal, 2));
      ASSERT_TRUE((*w)->close());
      ASSERT_EQ(::write(fd.get(), "xyz", 3), 3);  // a frame cut short
    }
    EXPECT_FALSE(test::read_sndfile_ints(path).ok);  // libsndfile 1.2 refuses size -1
    auto info = inspect_caf(path);
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_FALSE(info->finalized);
    EXPECT_EQ(info->repair.value_or(""), "set the data size from the file's length");
    EXPECT_EQ(info->frames, frames);
    EXPECT_EQ(info->codec, name(codec));

    const std::string out = dir.file(fmt::format("{}-fixed.caf", name(codec)));
    auto did = repair_caf(path, out);
    ASSERT_TRUE(did) << did.error().message;
    auto after = inspect_caf(out);
    ASSERT_TRUE(after) << after.error().message;
    EXPECT_TRUE(after->finalized);
    EXPECT_EQ(after->frames, frames);
    const test::SndInts s = test::read_sndfile_ints(out);
    ASSERT_TRUE(s.ok) << s.error;
    ASSERT_EQ(static_cast<size_t>(s.info.frames), frames);
    if (codec != Codec::float32) {
      const int shift = codec == Codec::pcm16 ? 16 : 8;
      size_t mismatches = 0;
      for (size_t i = 0; i < s.ints.size(); ++i)
        mismatches += (s.ints[i] >> shift) != (to_int32(signal[i]) >> shift);
      EXPECT_EQ(mismatches, 0u);
    }
  }
}

// CAFs that are broken in one place each.
TEST(CafRepair, MalformedFilesAre65WithTheOffset) {
  const auto header = [] {
    caf::Bytes b;
    caf::put_file_header(b);
    return b;
  };
  caf::Desc desc{48000, caf::kAlac, 1, 0, 4096, 2, 0};
  struct Bad {
    const char* what;
    std::vector<uint8_t> bytes;
  };
  std::vector<Bad> cases;
  cases.push_back({"shorter than a header", {'c', 'a', 'f'}});
  {
    caf::Bytes b;
    b.tag(caf::fourcc("RIFF"));
    b.be(0, 4);
    cases.push_back({"not caff", b.data()});
  }
  {
    caf::Bytes b = header();
    b.tag(caf::kDesc);
    b.be(1000, 8);
    b.raw(std::vector<uint8_t>(32));  // a desc body of zeros
    cases.push_back({"desc past the end", b.data()});
  }
  {
    caf::Bytes b = header();
    b.tag(caf::fourcc("free"));
    b.be(0, 8);
    cases.push_back({"no desc first", b.data()});
  }
  {
    caf::Bytes b = header();
    caf::put_desc(b, desc);
    b.tag(caf::kKuki);
    b.be(~uint64_t{0}, 8);
    cases.push_back({"size -1 outside data", b.data()});
  }
  {
    caf::Bytes b = header();
    caf::put_desc(b, desc);
    cases.push_back({"no data chunk", b.data()});
  }
  {
    caf::Bytes b = header();
    caf::put_desc(b, desc);
    caf::put_data_header(b, 1000);
    cases.push_back({"data past the end", b.data()});
  }
  {
    caf::Bytes b = header();
    caf::put_desc(b, desc);
    b.tag(caf::kData);
    b.be(3, 8);
    b.be(0, 3);
    cases.push_back({"header cut", b.data()});
  }
  {
    caf::Bytes b = header();
    caf::put_desc(b, desc);
    caf::put_data_header(b, 4 + 3);
    b.be(0x010203, 3);
    caf::put_pakt(b, {5, 5 * 4096, 0, 0}, std::vector<uint32_t>{1});
    cases.push_back({"pakt shorter than it says", b.data()});
  }
  {
    caf::Bytes b = header();
    caf::put_desc(b, desc);
    caf::put_data_header(b, 4 + 3);
    b.be(0x010203, 3);
    caf::put_pakt(b, {1, 5000, 0, 0}, std::vector<uint32_t>{3});
    cases.push_back({"more valid frames than packets hold", b.data()});
  }
  TempDir dir;
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.what);
    const std::string path = dir.file("bad.caf");
    write_file(path, std::string(c.bytes.begin(), c.bytes.end()));
    auto info = inspect_caf(path);
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().exit, Exit::data) << info.error().message;
    EXPECT_NE(info.error().message.find("offset"), std::string::npos) << info.error().message;
  }
}

}  // namespace
}  // namespace sc::formats
