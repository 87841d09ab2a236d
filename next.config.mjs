/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native and wasm packages stay outside the bundle: argon2 ships a .node binary, PGlite a wasm
  // file, rate-limiter-flexible imports drizzle-orm by a computed name;
  // pino spawns worker threads, dockerode pulls in ssh2 (a .node addon). Bundling any of them
  // breaks at run time.
  serverExternalPackages: ["@node-rs/argon2", "@electric-sql/pglite", "pino", "postgres", "proper-lockfile", "rate-limiter-flexible", "dockerode", "docker-modem", "ssh2"],
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
