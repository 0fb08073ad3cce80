// Every error code decodes from every form users meet it in, and the table agrees with
// SESSION-MODEL.md.
#include "core/session/codes.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/common/names.h"

namespace sc {
namespace {

struct Expected {
  std::string name, fourcc;
  int64_t osstatus;
};
// Transcribed from SESSION-MODEL.md "Error codes".
const std::vector<Expected> kTable = {
    {"none", "", 0},
    {"badParam", "", -50},
    {"isBusy", "!act", 560030580},
    {"incompatibleCategory", "!cat", 560161140},
    {"cannotInterruptOthers", "!int", 560557684},
    {"insufficientPriority", "!pri", 561017449},
    {"cannotStartPlaying", "!pla", 561015905},
    {"cannotStartRecording", "!rec", 561145187},
    {"resourceNotAvailable", "!res", 561145203},
    {"expiredSession", "!ses", 561210739},
    {"sessionNotActive", "inac", 1768841571},
    {"mediaServicesFailed", "msrv", 1836282486},
    {"siriIsRecording", "siri", 1936290409},
    {"missingEntitlement", "ent?", 1701737535},
    {"unspecified", "what", 2003329396},
};

TEST(Codes, TableMatchesSessionModel) {
  ASSERT_EQ(session_codes().size(), kTable.size());
  for (size_t i = 0; i < kTable.size(); ++i) {
    const auto& c = session_codes()[i];
    SCOPED_TRACE(kTable[i].name);
    EXPECT_EQ(c.name, kTable[i].name);
    EXPECT_EQ(c.fourcc, kTable[i].fourcc);
    EXPECT_EQ(c.osstatus, kTable[i].osstatus);
    EXPECT_FALSE(c.meaning.empty());
    EXPECT_FALSE(c.cause.empty());
    EXPECT_FALSE(c.fix.empty());
    if (!c.fourcc.empty()) {
      EXPECT_EQ(fourcc_value(c.fourcc), c.osstatus);
    }
  }
}

TEST(Codes, RoundTripEveryForm) {
  for (const auto& want : kTable) {
    std::vector<std::string> forms = {want.name,
                                      fold_name(want.name),
                                      std::to_string(want.osstatus),
                                      fmt::format("0x{:08x}", static_cast<uint32_t>(want.osstatus)),
                                      fmt::format("0X{:X}", static_cast<uint32_t>(want.osstatus)),
                                      "AVAudioSessionErrorCode" + want.name};
    // kebab case: cannotInterruptOthers -> cannot-interrupt-others
    std::string kebab;
    for (char ch : want.name) {
      if (std::isupper(static_cast<unsigned char>(ch))) kebab += '-';
      kebab += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    forms.push_back(kebab);
    if (!want.fourcc.empty()) {
      forms.push_back(want.fourcc);
      forms.push_back("'" + want.fourcc + "'");
    }
    if (want.osstatus < 0) forms.push_back(std::to_string(want.osstatus + (int64_t{1} << 32)));
    for (const auto& f : forms) {
      SCOPED_TRACE(want.name + " as '" + f + "'");
      auto r = decode_session_code(f);
      ASSERT_TRUE(r.ok()) << r.error().message;
      EXPECT_EQ((*r)->name, want.name);
    }
  }
}

TEST(Codes, UnknownCodesAreUsageErrorsSayingTheForms) {
  for (const char* bad : {"12345", "0x12", "!zzz", "nonsense", "", "''", "0xZZ", "99999999999"}) {
    SCOPED_TRACE(bad);
    auto r = decode_session_code(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().exit, Exit::usage);
    EXPECT_NE(r.error().hint.find("hex"), std::string::npos);
    EXPECT_NE(r.error().hint.find("four characters"), std::string::npos);
  }
  // A four-character code of another API is recognised as such.
  auto r = decode_session_code("1718449215");  // 'fmt?'
  EXPECT_NE(r.error().message.find("'fmt?'"), std::string::npos) << r.error().message;
  // Four characters are case-sensitive, as in the logs; names are not.
  EXPECT_FALSE(decode_session_code("!INT").ok());
  EXPECT_FALSE(decode_session_code("WHAT").ok());
  auto typo = decode_session_code("cannotinterupt");
  EXPECT_NE(typo.error().message.find("cannotInterruptOthers"), std::string::npos);
}

TEST(Codes, FourccText) {
  EXPECT_EQ(fourcc_text(560557684), "!int");
  EXPECT_EQ(fourcc_text(-50), std::nullopt);
  EXPECT_EQ(fourcc_text(0), std::nullopt);
}

TEST(Codes, SessionErrorsCarryTheirExitStatus) {
  auto e = session_error(SessionCode::cannotInterruptOthers, "m", "h");
  EXPECT_EQ(e.exit, Exit::unavailable);
  EXPECT_EQ(e.session->osstatus, 560557684);
  EXPECT_EQ(session_error(SessionCode::badParam, "m").exit, Exit::usage);
}

}  // namespace
}  // namespace sc
