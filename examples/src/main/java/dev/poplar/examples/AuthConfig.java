package dev.poplar.examples;

import dev.poplar.examples.config.ConfigException;
import dev.poplar.examples.config.ConfigSection;
import dev.poplar.pop3.auth.Authenticator;
import dev.poplar.pop3.auth.oauth.Authenticators;
import dev.poplar.pop3.auth.oauth.JwtAuthenticator;
import dev.poplar.pop3.auth.oauth.SignatureAlgorithm;
import dev.poplar.pop3.auth.passwd.AppPasswords;
import dev.poplar.pop3.auth.passwd.PasswdFileAuthenticator;
import dev.poplar.pop3.auth.passwd.PasswdFileException;
import dev.poplar.pop3.server.PlaintextAuth;
import dev.poplar.pop3.server.Pop3Server;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code auth} section: who may log in, and where passwords may travel.
 *
 * <pre>
 * auth:
 *   users_file: /etc/poplar/users           # pop3-auth-passwd: Dovecot passwd-file, user:{SCHEME}secret
 *   reload_check_interval: 2s               # how often the files are checked for changes
 *   verification_cache_ttl: 15m             # optional: accept a password that matched lately without the hash
 *   verification_cache_users: 10000         # at most this many users remembered (default 10000)
 *   app_passwords: /etc/poplar/app-passwords            # optional: per-device passwords (poplar app-password)
 *   app_passwords_usage: /var/lib/poplar/app-passwords.last-used   # default: beside app_passwords
 *   plaintext_auth: allow_loopback          # require_tls, allow
 *   oauth:                                  # pop3-auth-oauth: OAUTHBEARER / XOAUTH2 with JWT access tokens
 *     issuer: https://login.example.org/realms/mail
 *     audience: [pop3]
 *     jwks_url: https://login.example.org/realms/mail/protocol/openid-connect/certs   # or jwks_file
 *     mailbox_claim: email
 *     required_scope: mail.pop
 *     openid_configuration: https://login.example.org/realms/mail/.well-known/openid-configuration
 *     error_details: true                 # a refused token's answer names the scope and the OpenID configuration
 *     algorithms: [RS256, ES256]
 *     clock_skew: 60s
 *     fetch_timeout: 3s
 *     refresh_interval: 10m
 *     min_refresh_interval: 30s
 *     max_key_age: 24h
 * </pre>
 *
 * With both, bearer tokens go to OAuth and passwords to the users file. The in-memory demo store has its own user
 * and takes neither. Options of later authentication features (SASL mechanisms, access rules) are read here.
 */
final class AuthConfig {

    /** How many users the verification cache remembers unless {@code verification_cache_users} says. */
    private static final int DEFAULT_CACHE_USERS = 10_000;

    /** A built authenticator and a description for the operator. */
    record Built(Authenticator authenticator, String description) {
    }

    private final Optional<ConfigSection> section;
    private final Optional<PasswdFileAuthenticator.Builder> users;
    private final Optional<ConfigSection> oauthSection;
    private final Optional<JwtAuthenticator.Builder> oauth;

    private AuthConfig(Optional<ConfigSection> section, Optional<PasswdFileAuthenticator.Builder> users,
                       Optional<ConfigSection> oauthSection, Optional<JwtAuthenticator.Builder> oauth) {
        this.section = section;
        this.users = users;
        this.oauthSection = oauthSection;
        this.oauth = oauth;
    }

    static AuthConfig read(Optional<ConfigSection> auth, StoreConfig store, Pop3Server.Builder server,
                           ConfigSection root) {
        Optional<PasswdFileAuthenticator.Builder> users = auth.flatMap(AuthConfig::usersFile);
        Optional<ConfigSection> oauthSection = auth.flatMap(a -> a.section("oauth"));
        Optional<JwtAuthenticator.Builder> oauth = oauthSection.map(o -> oauth(o, server));
        auth.ifPresent(a -> a.choice("plaintext_auth", PlaintextAuth.class, server::plaintextAuth));
        boolean sources = users.isPresent() || oauth.isPresent();
        if (store != null && store.memory() && sources) {
            auth.get().problem(users.isPresent() ? "users_file" : "oauth",
                    "the in-memory demo store has its own user (store.memory.user); use maildir with a users file");
        } else if (store != null && !store.memory() && !sources && !root.hasProblems()) {
            if (auth.isPresent()) {
                auth.get().problem("nobody can log in: give users_file or oauth");
            } else {
                root.problem("auth", "is missing: nobody can log in; give auth: {users_file: ...}");
            }
        }
        return new AuthConfig(auth, users, oauthSection, oauth);
    }

    private static Optional<PasswdFileAuthenticator.Builder> usersFile(ConfigSection auth) {
        Optional<Path> file = auth.path("users_file");
        Optional<Path> apps = auth.path("app_passwords");
        Optional<Path> usage = auth.path("app_passwords_usage");
        if (file.isEmpty()) {
            for (String key : List.of("app_passwords", "app_passwords_usage", "reload_check_interval",
                    "verification_cache_ttl", "verification_cache_users")) {
                if (auth.has(key)) {
                    auth.problem(key, "needs users_file");
                }
            }
            return Optional.empty();
        }
        PasswdFileAuthenticator.Builder builder = PasswdFileAuthenticator.builder(file.get());
        auth.duration("reload_check_interval", builder::reloadCheckInterval);
        Optional<Duration> cacheTtl = auth.duration("verification_cache_ttl");
        Optional<Integer> cacheUsers = auth.integer("verification_cache_users", 1, Integer.MAX_VALUE);
        if (cacheTtl.isPresent()) {
            auth.apply("verification_cache_ttl", () -> builder.verificationCache(cacheTtl.get(),
                    cacheUsers.orElse(DEFAULT_CACHE_USERS)));
        } else if (cacheUsers.isPresent()) {
            auth.problem("verification_cache_users", "needs verification_cache_ttl");
        }
        if (apps.isPresent()) {
            builder.appPasswords(usage.isPresent() ? AppPasswords.at(apps.get(), usage.get())
                    : AppPasswords.at(apps.get()));
        } else if (usage.isPresent()) {
            auth.problem("app_passwords_usage", "needs app_passwords");
        }
        return Optional.of(builder);
    }

    private static JwtAuthenticator.Builder oauth(ConfigSection oauth, Pop3Server.Builder server) {
        JwtAuthenticator.Builder builder = JwtAuthenticator.builder();
        oauth.string("issuer", builder::issuer);
        List<String> audiences = oauth.strings("audience");
        if (!audiences.isEmpty()) {
            oauth.apply("audience", () -> builder.audience(audiences.toArray(String[]::new)));
        }
        oauth.path("jwks_file", builder::jwksFile);
        oauth.string("jwks_url", url -> builder.jwksUrl(uri(url)));
        List<String> algorithms = oauth.strings("algorithms");
        if (!algorithms.isEmpty()) {
            List<SignatureAlgorithm> chosen = new ArrayList<>();
            for (String name : algorithms) {
                try {
                    chosen.add(SignatureAlgorithm.valueOf(name.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    oauth.problem("algorithms", "unknown algorithm " + name + "; known: "
                            + List.of(SignatureAlgorithm.values()));
                }
            }
            oauth.apply("algorithms", () -> builder.algorithms(chosen.toArray(SignatureAlgorithm[]::new)));
        }
        oauth.duration("clock_skew", builder::clockSkew);
        Optional<String> scope = oauth.string("required_scope");
        boolean accepted = scope.map(s -> accepted(oauth, "required_scope", () -> builder.requiredScope(s)))
                .orElse(true);
        Optional<URI> openId = oauth.string("openid_configuration").flatMap(url -> {
            try {
                return Optional.of(uri(url));
            } catch (IllegalArgumentException e) {
                oauth.problem("openid_configuration", e.getMessage());
                return Optional.empty();
            }
        });
        accepted &= openId.map(url -> accepted(oauth, "openid_configuration",
                () -> builder.openIdConfiguration(url))).orElse(!oauth.has("openid_configuration"));
        // What a client hears when its token is refused (RFC 7628 section 3.2.2): the scope and where the
        // provider's OpenID configuration is, so that it can fetch a suitable token.
        if (oauth.bool("error_details").orElse(true) && accepted) {
            try {
                server.oauthErrorDetails(scope, openId);
            } catch (IllegalArgumentException e) {
                oauth.problem(e.getMessage().contains(" scope ") ? "required_scope" : "openid_configuration",
                        e.getMessage().replaceFirst("^oauthErrorDetails (scope|openIdConfiguration) ", ""));
            }
        }
        oauth.string("mailbox_claim", builder::mailboxClaim);
        oauth.duration("fetch_timeout", builder::fetchTimeout);
        oauth.duration("refresh_interval", builder::refreshInterval);
        oauth.duration("min_refresh_interval", builder::minRefreshInterval);
        oauth.duration("max_key_age", builder::maxKeyAge);
        return builder;
    }

    /** Runs a builder call; what it throws becomes a problem at the key. */
    private static boolean accepted(ConfigSection section, String key, Runnable call) {
        try {
            call.run();
            return true;
        } catch (IllegalArgumentException | IllegalStateException e) {
            section.problem(key, e.getMessage().replaceFirst("^(requiredScope|openIdConfiguration):? ", ""));
            return false;
        }
    }

    private static URI uri(String text) {
        try {
            return new URI(text);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + text);
        }
    }

    /**
     * Loads the users file (and app passwords) and sets up OAuth.
     *
     * @return the authenticator
     * @throws ConfigException naming the setting, its line and the problem
     * @throws IllegalStateException for the in-memory demo store, which has no auth section
     */
    Built build() throws ConfigException {
        List<Authenticator> parts = new ArrayList<>();
        List<String> described = new ArrayList<>();
        if (oauth.isPresent()) {
            try {
                JwtAuthenticator jwt = oauth.get().build();
                parts.add(jwt);
                described.add("OAuth 2.0 tokens of " + jwt.issuer());
            } catch (IllegalStateException | IllegalArgumentException e) {
                throw oauthSection.get().blamed(e.getMessage());
            }
        }
        if (users.isPresent()) {
            try {
                PasswdFileAuthenticator file = users.get().build();
                parts.add(file);
                described.add(file.userCount() + " users of " + file.file());
            } catch (PasswdFileException | IllegalStateException | IllegalArgumentException e) {
                throw section.get().blamed(e.getMessage());
            }
        }
        if (parts.isEmpty()) {
            throw new IllegalStateException("no authenticator configured");
        }
        Authenticator authenticator = parts.size() == 1 ? parts.get(0)
                : Authenticators.firstSupporting(parts.get(0), parts.subList(1, parts.size())
                        .toArray(Authenticator[]::new));
        return new Built(authenticator, String.join(" and ", described));
    }
}
