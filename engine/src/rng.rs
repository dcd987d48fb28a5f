//! The engine's only source of randomness: seeded, so a scenario replays.

/// SplitMix64: tiny, fast and good enough for names, tie-breaks and jitter.
#[derive(Clone, Debug)]
pub struct Rng(u64);

/// The alphabet Kubernetes uses for generated name suffixes (no vowels, so no
/// accidental words, and no look-alike characters).
const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

impl Rng {
    /// A generator whose sequence is fixed by `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// A second generator derived from this one's state and `salt`,
    /// leaving this one's sequence untouched.
    pub fn fork(&self, salt: u64) -> Rng {
        Rng(self.0 ^ salt.wrapping_mul(0xD6E8_FEB8_6659_FD93))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// A generated-name suffix such as `x7k2p`, as `generateName` produces.
    pub fn suffix(&mut self, len: usize) -> String {
        (0..len).map(|_| ALPHANUMS[self.below(ALPHANUMS.len())] as char).collect()
    }

    /// A version-4 UUID for `metadata.uid`.
    pub fn uuid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            ((b >> 48) & 0x3fff) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        assert_eq!(a.suffix(5), b.suffix(5));
        assert_eq!(a.uuid(), b.uuid());
        assert_ne!(Rng::new(7).next_u64(), Rng::new(8).next_u64());
    }

    #[test]
    fn a_fork_leaves_the_parent_sequence_alone() {
        let mut a = Rng::new(7);
        let mut forked = a.fork(1);
        let mut b = Rng::new(7);
        assert_ne!(forked.next_u64(), b.clone().next_u64());
        assert_eq!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn uuid_has_the_v4_shape() {
        let id = Rng::new(1).uuid();
        let parts: Vec<&str> = id.split('-').collect();
        assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
        assert!(parts[2].starts_with('4'));
        assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
    }
}
