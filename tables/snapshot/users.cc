// users: the user accounts of the host, through getpwent(3) (so /etc/passwd
// and whatever else NSS is configured with).
//
//   SELECT name, uid, home FROM users WHERE is_admin = 1
//
// Columns as zeek-agent v2's users table (src/tables/users/users.h),
// including uid as text ("can be alpha-numeric on some platforms").
#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <sstream>

#include "tables/snapshot_table.h"

namespace zagent::tables {
namespace {

// getpwent and getgrnam keep their state in static storage.
std::mutex nss_mutex;

// Where login.defs(5) starts the uids of ordinary users (UID_MIN, 1000 by default).
int64_t first_user_uid() {
  std::ifstream defs("/etc/login.defs");
  std::string line;
  while (std::getline(defs, line)) {
    std::istringstream fields(line);
    std::string key;
    int64_t value = 0;
    if (fields >> key && key == "UID_MIN" && fields >> value) return value;
  }
  return 1000;
}

// The members of the groups that grant administration by sudo(8) on common
// distributions.
std::vector<std::string> admin_group_members(std::vector<gid_t>* gids) {
  std::vector<std::string> members;
  for (const char* name : {"sudo", "wheel", "admin"}) {
    const group* g = ::getgrnam(name);
    if (!g) continue;
    gids->push_back(g->gr_gid);
    for (char** m = g->gr_mem; m && *m; ++m) members.emplace_back(*m);
  }
  return members;
}

// The full name is the first comma-separated field of the GECOS field.
std::string full_name(const char* gecos) {
  const std::string s = gecos ? gecos : "";
  return s.substr(0, s.find(','));
}

class Users final : public SnapshotTable {
 public:
  const TableSchema& schema() const override {
    static const TableSchema schema{
        "users",
        "the user accounts of the host (as zeek-agent v2's users)",
        {
            {"name", ColumnType::Text, "short (login) name"},
            {"full_name", ColumnType::Text, "full name: the first comma-separated field of the GECOS field"},
            {"is_admin", ColumnType::Integer,
             "1 for uid 0 and for members of the sudo, wheel and admin groups, else 0"},
            {"is_system", ColumnType::Integer,
             "1 for service accounts: uids from 1 to below UID_MIN of /etc/login.defs (1000 by default), and "
             "65534 (nobody); else 0"},
            {"uid", ColumnType::Text, "user ID, in decimal (text, as in zeek-agent v2)"},
            {"gid", ColumnType::Integer, "primary group ID"},
            {"home", ColumnType::Text, "path to the home directory"},
            {"shell", ColumnType::Text, "path to the login shell"},
            {"email", ColumnType::Text, "email address: always null on Linux"},
        },
        "SELECT name, uid, shell FROM users WHERE is_system = 0",
        {{"is_admin", ZeekType::Bool}, {"is_system", ZeekType::Bool}, {"gid", ZeekType::Count}},
    };
    return schema;
  }

  std::vector<Row> rows(const std::vector<Value>&, const QueryContext&) override {
    const int64_t uid_min = first_user_uid();
    const std::lock_guard lock(nss_mutex);
    std::vector<gid_t> admin_gids;
    const std::vector<std::string> admins = admin_group_members(&admin_gids);

    std::vector<Row> rows;
    ::setpwent();
    while (const passwd* pw = ::getpwent()) {
      const int64_t uid = pw->pw_uid;
      const bool admin = uid == 0 || std::find(admins.begin(), admins.end(), pw->pw_name) != admins.end() ||
                         std::find(admin_gids.begin(), admin_gids.end(), pw->pw_gid) != admin_gids.end();
      const bool system = (uid > 0 && uid < uid_min) || uid == 65534;
      rows.push_back(Row{
          std::string(pw->pw_name),
          full_name(pw->pw_gecos),
          int64_t{admin},
          int64_t{system},
          std::to_string(uid),
          int64_t{pw->pw_gid},
          std::string(pw->pw_dir ? pw->pw_dir : ""),
          std::string(pw->pw_shell ? pw->pw_shell : ""),
          Value(),
      });
    }
    ::endpwent();
    return rows;
  }
};

const SnapshotTableRegistration<Users> registration;

}  // namespace
}  // namespace zagent::tables
