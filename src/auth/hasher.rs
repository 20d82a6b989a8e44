//! Argon2id PHC hashes exactly as the web app's argon2-cffi `PasswordHasher()` writes them.
//! Hashing costs ~64 MiB and tens of milliseconds: call these off any UI thread
//! (`tokio::task::spawn_blocking`).
//!
//! [`hash`] allocates the 64 MiB of argon2 blocks for each call; a [`HashMemory`] keeps them
//! for a thread that hashes many passwords in turn (the import's workers, `auth::bulk`).
//! Both write the PHC string here ([`phc_string`]), from a fresh 16-byte salt.

use crate::domain::Secret;
use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::password_hash::try_generate_salt;
use argon2::{
    Algorithm, Argon2, Block, Params, PasswordHash, PasswordVerifier, RECOMMENDED_SALT_LEN, Version,
};
use zeroize::Zeroize;

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

fn failed(e: impl std::fmt::Display) -> HashError {
    HashError::Hash(e.to_string())
}

fn params() -> Result<Params, HashError> {
    Params::new(M_COST_KIB, T_COST, P_COST, Some(OUTPUT_LEN)).map_err(failed)
}

fn hasher() -> Result<Argon2<'static>, HashError> {
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params()?))
}

/// A fresh random salt of argon2-cffi's length (16 bytes) from the system's RNG.
fn fresh_salt() -> Result<[u8; RECOMMENDED_SALT_LEN], HashError> {
    try_generate_salt().map_err(|e| HashError::Hash(format!("no random salt: {e}")))
}

/// The one place that knows the format: `$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>`,
/// salt and hash in unpadded standard base64, as argon2-cffi writes it (and as argon2's
/// own `PasswordHasher` would for the same salt and output).
pub fn phc_string(salt: &[u8], output: &[u8]) -> Result<String, HashError> {
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params()?).map_err(failed)?,
        salt: Some(Salt::new(salt).map_err(failed)?),
        hash: Some(Output::new(output).map_err(failed)?),
    };
    Ok(phc.to_string())
}

/// A PHC string `$argon2id$v=19$m=65536,t=3,p=4$salt$hash` with a fresh random salt.
/// Allocates (and frees) the 64 MiB of argon2 blocks each call; see [`HashMemory`].
pub fn hash(password: &Secret) -> Result<String, HashError> {
    let salt = fresh_salt()?;
    let mut output = [0u8; OUTPUT_LEN];
    hasher()?.hash_password_into(password.expose().as_bytes(), &salt, &mut output).map_err(failed)?;
    let phc = phc_string(&salt, &output);
    output.zeroize();
    phc
}

/// The argon2 blocks of one hash at the web app's parameters (65,536 blocks of 1 KiB),
/// allocated once and reused by a thread that hashes many passwords one after another
/// ([`HashMemory::hash`] gives what [`hash`] gives). Zeroed when dropped, since the blocks
/// are derived from the last password.
pub struct HashMemory {
    argon2: Argon2<'static>,
    blocks: Box<[Block]>,
}

impl HashMemory {
    /// Allocates the 64 MiB; an allocation failure is an error, not an abort.
    pub fn new() -> Result<HashMemory, HashError> {
        let argon2 = hasher()?;
        let count = argon2.params().block_count();
        let mut blocks = Vec::new();
        blocks
            .try_reserve_exact(count)
            .map_err(|e| HashError::Hash(format!("no memory for argon2's blocks: {e}")))?;
        blocks.resize(count, Block::new());
        Ok(HashMemory { argon2, blocks: blocks.into_boxed_slice() })
    }

    /// As [`hash`]: a fresh random salt, the PHC string of [`phc_string`].
    pub fn hash(&mut self, password: &Secret) -> Result<String, HashError> {
        let salt = fresh_salt()?;
        self.hash_with_salt(password, &salt)
    }

    /// The hash of `password` with `salt`, in these blocks whatever they hold from before
    /// (argon2 writes every block before it reads it).
    pub fn hash_with_salt(&mut self, password: &Secret, salt: &[u8]) -> Result<String, HashError> {
        let mut output = [0u8; OUTPUT_LEN];
        self.argon2
            .hash_password_into_with_memory(
                password.expose().as_bytes(),
                salt,
                &mut output,
                &mut self.blocks[..],
            )
            .map_err(failed)?;
        let phc = phc_string(salt, &output);
        output.zeroize();
        phc
    }
}

impl Drop for HashMemory {
    fn drop(&mut self) {
        for block in self.blocks.iter_mut() {
            block.as_mut().zeroize();
        }
    }
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
        let phc = hash(&pw).expect("hash");
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
        assert_ne!(hash(&pw).expect("hash"), hash(&pw).expect("hash"));
    }

    #[test]
    fn reused_memory_hashes_as_argon2_does_and_as_hash_does() {
        use argon2::PasswordHasher;
        let pw = Secret::from("correct horse battery");
        let mut memory = HashMemory::new().expect("memory");
        let a = memory.hash(&pw).expect("hashed");
        let b = memory.hash(&pw).expect("hashed again");
        assert_ne!(a, b, "a fresh salt each time");
        let one = hash(&pw).expect("hash");
        for phc in [&a, &b] {
            assert!(verify(&pw, phc), "{phc}");
            assert!(!verify(&Secret::from("wrong horse battery"), phc));
            let (ours, theirs): (Vec<&str>, Vec<&str>) = (phc.split('$').collect(), one.split('$').collect());
            assert_eq!(ours.len(), theirs.len());
            assert_eq!(ours[..4], theirs[..4], "same algorithm, version and parameters");
            assert_eq!(ours[4].len(), theirs[4].len(), "same salt length");
            assert_eq!(ours[5].len(), theirs[5].len(), "same hash length");
        }
        // The blocks now hold the last hash's state; the result must not depend on it.
        let salt = *b"sixteen byte slt";
        let expected = hasher()
            .expect("hasher")
            .hash_password_with_salt(pw.expose().as_bytes(), &salt)
            .expect("argon2's own API")
            .to_string();
        assert_eq!(memory.hash_with_salt(&pw, &salt).expect("reused"), expected);
        assert_eq!(memory.hash_with_salt(&pw, &salt).expect("reused twice"), expected);
        let other = Secret::from("another password");
        assert_ne!(memory.hash_with_salt(&other, &salt).expect("other"), expected);
        assert_eq!(memory.hash_with_salt(&pw, &salt).expect("after another"), expected);
    }

    #[test]
    fn hash_is_argon2s_own_phc_string() {
        use argon2::PasswordHasher;
        let pw = Secret::from("same password");
        let phc = hash(&pw).expect("hash");
        let salt = PasswordHash::new(&phc).expect("parses").salt.expect("salt");
        let expected =
            hasher().expect("hasher").hash_password_with_salt(pw.expose().as_bytes(), &salt).expect("argon2");
        assert_eq!(phc, expected.to_string());
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
