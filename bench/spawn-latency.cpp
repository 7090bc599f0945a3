// Latency of commands run as processes by N concurrent clients, measured
// without an interpreter in the way (query-bench.py's Python threads
// serialize their own process starts): each client thread posix_spawns its
// commands one after another, optionally paced, and times spawn to exit.
//
// usage: spawn-latency CLIENTS PERIOD_S FILE
//   FILE: one command per line, arguments separated by tabs; the commands
//   are dealt round-robin to the clients. With PERIOD_S > 0 each client
//   starts at a random phase and starts a command every PERIOD_S seconds.
// Prints "p50_ms p99_ms max_ms count".
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: spawn-latency CLIENTS PERIOD_S FILE\n");
    return 2;
  }
  const int clients = std::stoi(argv[1]);
  const double period = std::stod(argv[2]);
  std::vector<std::vector<std::string>> commands;
  std::ifstream in(argv[3]);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> args;
    size_t start = 0;
    for (size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) {
      args.push_back(line.substr(start, tab - start));
    }
    args.push_back(line.substr(start));
    commands.push_back(args);
  }
  std::vector<std::vector<double>> walls(static_cast<size_t>(clients));
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      std::mt19937 rng(static_cast<unsigned>(c));
      auto next = std::chrono::steady_clock::now() +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      std::chrono::duration<double>(std::uniform_real_distribution<double>(0, period)(rng)));
      for (size_t k = static_cast<size_t>(c); k < commands.size(); k += static_cast<size_t>(clients)) {
        if (period > 0) std::this_thread::sleep_until(next);
        next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(period));
        std::vector<char*> args;
        for (std::string& a : commands[k]) args.push_back(a.data());
        args.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        auto start = std::chrono::steady_clock::now();
        pid_t pid = 0;
        if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) == 0) {
          int status = 0;
          waitpid(pid, &status, 0);
          walls[static_cast<size_t>(c)].push_back(
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
        }
        posix_spawn_file_actions_destroy(&actions);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::vector<double> all;
  for (const auto& w : walls) all.insert(all.end(), w.begin(), w.end());
  std::sort(all.begin(), all.end());
  if (all.empty()) return 1;
  auto pct = [&](double p) { return all[std::min(all.size() - 1, static_cast<size_t>(p / 100.0 * (all.size() - 1) + 0.5))]; };
  std::printf("%.1f %.1f %.1f %zu\n", pct(50), pct(99), all.back(), all.size());
  return 0;
}
