//! Argon2id PHC hashes exactly as the web app's argon2-cffi `PasswordHasher()` writes them.
//! Hashing costs ~64 MiB and tens of milliseconds: call these off any UI thread
//! (`tokio::task::spawn_blocking`).

use crate::domain::Secret;
use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};

/// argon2-cffi's defaults: memory 64 MiB, 3 passes, 4 lanes, 32-byte hash (16-byte salt).
pub const M_COST_KIB: u32 = 65536;
pub const T_COST: u32 = 3;
pub const P_COST: u32 = 4;
pub const OUTPUT_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
}

fn hasher() -> Result<Argon2<'static>, HashError> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, Some(OUTPUT_LEN))
        .map_err(|e| HashError::Hash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A PHC string `$argon2id$v=19$m=65536,t=3,p=4$salt$hash` with a fresh random salt.
pub fn hash(password: &Secret) -> Result<String, HashError> {
    hasher()?
        .hash_password(password.expose().as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HashError::Hash(e.to_string()))
}

/// [`hash`] on tokio's blocking pool: the one way async code hashes, so no draw loop or
/// reactor thread ever waits ~100 ms for argon2.
pub async fn hash_off_thread(password: Secret) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(|e| HashError::Hash(format!("the hashing task stopped: {e}")))?
}

/// [`verify`] on tokio's blocking pool.
pub async fn verify_off_thread(password: Secret, phc: String) -> Result<bool, HashError> {
    tokio::task::spawn_blocking(move || verify(&password, &phc))
        .await
        .map_err(|e| HashError::Hash(format!("the password check stopped: {e}")))
}

/// True when `password` matches `phc`, any argon2 variant and parameters. A malformed or
/// missing hash is simply no match.
pub fn verify(password: &Secret, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc.trim()) else {
        return false;
    };
    Argon2::default().verify_password(password.expose().as_bytes(), &parsed).is_ok()
}

/// A valid hash of a password nobody knows, verified against when the email is unknown so
/// that a wrong email and a wrong password take the same time.
pub const DUMMY_HASH: &str =
    "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$Cj8XZXl8rQ8Kq0pXwJ7fPqYb4m1d9V3sT6uE2nH5aLg";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_with_the_web_apps_parameters_and_verifies() {
        let pw = Secret::from("correct horse battery");
        let phc = hash(&pw).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=65536,t=3,p=4$"), "{phc}");
        let parts: Vec<&str> = phc.split('$').collect();
        assert_eq!(parts.len(), 6);
        assert_eq!(parts[4].len(), 22); // 16-byte salt, unpadded base64
        assert_eq!(parts[5].len(), 43); // 32-byte hash
        assert!(verify(&pw, &phc));
        assert!(verify(&pw, &format!("{phc}\n")));
        assert!(!verify(&Secret::from("wrong horse battery"), &phc));
    }

    #[test]
    fn salts_differ() {
        let pw = Secret::from("same password");
        assert_ne!(hash(&pw).unwrap(), hash(&pw).unwrap());
    }

    #[test]
    fn garbage_never_verifies() {
        let pw = Secret::from("whatever123");
        assert!(!verify(&pw, ""));
        assert!(!verify(&pw, "not a hash"));
        assert!(!verify(&pw, "$2b$12$abcdefghijklmnopqrstuv"));
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify(&pw, DUMMY_HASH));
    }
}
