//! Gorilla-style compression of one run of samples (Pelkonen et al.,
//! "Gorilla: A Fast, Scalable, In-Memory Time Series Database", 2015):
//! timestamps as deltas of deltas, values as the XOR of their bits with the
//! previous value's. A scrape every 15 s makes most deltas of deltas zero
//! (one bit) and a steady gauge most XORs zero (one bit), so a sample
//! usually costs a few bits rather than sixteen bytes.
//!
//! Values are kept as raw bits, so NaN payloads (the staleness marker
//! among them), -0.0 and the infinities come back bit for bit. Time
//! arithmetic wraps, which round-trips exactly for any `i64`.

use std::sync::Arc;

/// Bits appended most significant first into bytes.
#[derive(Clone, Debug, Default)]
struct BitWriter {
    bytes: Vec<u8>,
    /// Bits used in the last byte (0 means a new byte is needed).
    used: u32,
}

impl BitWriter {
    /// Appends the low `n` bits of `value` (`n <= 64`).
    fn push(&mut self, value: u64, mut n: u32) {
        while n > 0 {
            if self.used == 0 || self.used == 8 {
                if self.bytes.len() == self.bytes.capacity() {
                    // Grow by a quarter rather than double: an open chunk
                    // per series, hundreds of thousands of them, would
                    // otherwise waste a third of their memory on average.
                    self.bytes.reserve_exact((self.bytes.len() / 4).max(16));
                }
                self.bytes.push(0);
                self.used = 0;
            }
            let free = 8 - self.used;
            let take = free.min(n);
            // `take` is 1..=8 and `n - take` < 64, so neither shift overflows.
            let bits = ((value >> (n - take)) & ((1u64 << take) - 1)) as u8;
            if let Some(last) = self.bytes.last_mut() {
                *last |= bits << (free - take);
            }
            self.used += take;
            n -= take;
        }
    }
}

/// Reads what a [`BitWriter`] wrote; `None` past the end.
#[derive(Clone, Debug)]
struct BitReader<'a> {
    bytes: &'a [u8],
    /// Position in bits.
    pos: usize,
}

impl BitReader<'_> {
    /// The next `n` bits (`n <= 64`), from the at most nine bytes they
    /// span at once.
    fn read(&mut self, n: u32) -> Option<u64> {
        if n == 0 {
            return Some(0);
        }
        let end = self.pos.checked_add(n as usize)?;
        let first = self.pos / 8;
        let last = end.div_ceil(8);
        let mut acc: u128 = 0;
        for b in self.bytes.get(first..last)? {
            acc = (acc << 8) | u128::from(*b);
        }
        // `last - first` bytes hold the bits from `pos % 8` to `end`.
        let spare = ((last - first) * 8 - (end - first * 8)) as u32;
        let mask = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
        self.pos = end;
        Some((acc >> spare) as u64 & mask)
    }

    fn bit(&mut self) -> Option<bool> {
        let byte = *self.bytes.get(self.pos / 8)?;
        let b = (byte >> (7 - self.pos % 8)) & 1;
        self.pos += 1;
        Some(b == 1)
    }
}

/// Delta-of-delta classes for times: a prefix of ones ended by a zero,
/// then the value in this many bits (the last class has no closing zero).
const DOD_BITS: [u32; 5] = [7, 9, 12, 32, 64];

/// The same for the deltas of deltas of decimal values, which spread
/// wider than a scrape's jitter (bytes counters move by millions).
const VALUE_BITS: [u32; 7] = [7, 9, 12, 16, 24, 32, 64];

/// Writes a delta of deltas of times.
fn push_dod(bits: &mut BitWriter, dod: i64) {
    push_class(bits, &DOD_BITS, dod);
}

/// Reads what [`push_dod`] wrote.
fn read_dod(r: &mut BitReader<'_>) -> Option<i64> {
    read_class(r, &DOD_BITS)
}

/// Writes `x` in the smallest of `classes` that holds it.
fn push_class(bits: &mut BitWriter, classes: &[u32], x: i64) {
    if x == 0 {
        bits.push(0, 1);
        return;
    }
    for (class, n) in classes.iter().enumerate() {
        let half = 1i128 << (n - 1);
        let last = class + 1 == classes.len();
        if last || ((-half)..half).contains(&(x as i128)) {
            // `class + 1` ones, then a zero unless this is the last class.
            let ones = (1u64 << (class + 1)) - 1;
            if last {
                bits.push(ones, class as u32 + 1);
            } else {
                bits.push(ones << 1, class as u32 + 2);
            }
            bits.push(x as u64, *n);
            return;
        }
    }
}

/// Reads what [`push_class`] wrote.
fn read_class(r: &mut BitReader<'_>, classes: &[u32]) -> Option<i64> {
    let mut class = 0;
    while class < classes.len() && r.bit()? {
        class += 1;
    }
    Some(match class.checked_sub(1).and_then(|c| classes.get(c)) {
        None => 0,
        Some(&n) => sign_extend(r.read(n)?, n),
    })
}

/// The mode written first in an appendable chunk: values as XOR-ed bits.
/// Modes `0..=MAX_DECIMALS` are decimal values with that many places.
const XOR_MODE: u8 = 15;

/// An appender whose mode its first sample will choose.
const UNSET_MODE: u8 = u8::MAX;

/// "No previous XOR window yet".
const NO_WINDOW: u8 = u8::MAX;

/// A chunk being written: the bytes so far and what the next sample is
/// encoded against. It starts in decimal mode when the first value is an
/// exact decimal (see [`pack`] for why): values are then integers `n`
/// with `v == n / 10^k`, written as deltas of deltas like the times. A
/// value that needs more places, or is no decimal at all (NaN, the
/// staleness marker), re-encodes what is held in the mode all of it fits.
///
/// Layout: mode (4 bits), the first time and value (64 bits each), then
/// per sample the time's delta of delta and the value (XOR or decimal).
#[derive(Clone, Debug)]
pub struct Appender {
    bits: BitWriter,
    count: u32,
    min_t: i64,
    max_t: i64,
    delta: i64,
    /// The last value's bits (XOR mode) or its `n` (decimal mode).
    value: u64,
    /// The last delta of `n` (decimal mode).
    value_delta: i64,
    leading: u8,
    trailing: u8,
    mode: u8,
}

impl Default for Appender {
    fn default() -> Self {
        Appender {
            bits: BitWriter::default(),
            count: 0,
            min_t: 0,
            max_t: 0,
            delta: 0,
            value: 0,
            value_delta: 0,
            leading: NO_WINDOW,
            trailing: 0,
            mode: UNSET_MODE,
        }
    }
}

/// The mode a run starting with `v` opens in: the fewest decimal places
/// `v` has, or XOR when it has none, or is a whole number with eight or
/// more zero bits at the bottom (a count of pages or sectors), whose
/// changes XOR stores without those bits.
fn first_mode(v: f64) -> u8 {
    match (0..=MAX_DECIMALS).find(|k| to_decimal(v, *k).is_some()) {
        Some(0) if to_decimal(v, 0).is_some_and(|n| n != 0 && n.trailing_zeros() >= 8) => XOR_MODE,
        Some(k) => k as u8,
        None => XOR_MODE,
    }
}

/// The fewest decimal places every value has, if any.
fn common_decimals(samples: &[(i64, f64)]) -> Option<u32> {
    (0..=MAX_DECIMALS).find(|k| samples.iter().all(|(_, v)| to_decimal(*v, *k).is_some()))
}

impl Appender {
    /// Encodes samples already in time order.
    pub fn from_samples(samples: &[(i64, f64)]) -> Self {
        let mode = match (common_decimals(samples), samples.first()) {
            (Some(k), Some((_, v))) => first_mode(*v).max(k as u8),
            _ => XOR_MODE,
        };
        Self::encode(samples, mode)
    }

    /// Encodes samples in a mode every value fits.
    fn encode(samples: &[(i64, f64)], mode: u8) -> Self {
        let mut a = Appender { mode, ..Appender::default() };
        for (t, v) in samples {
            a.push(*t, *v);
        }
        a
    }

    /// How many samples it holds.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// The first and last timestamps, if any sample is held.
    pub fn bounds(&self) -> Option<(i64, i64)> {
        (self.count > 0).then_some((self.min_t, self.max_t))
    }

    /// The encoded bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bits.bytes
    }

    /// Memory held, in bytes.
    pub fn capacity(&self) -> usize {
        self.bits.bytes.capacity()
    }

    /// Appends a sample; the caller keeps timestamps increasing (anything
    /// else still round-trips, only less compactly).
    pub fn push(&mut self, t: i64, v: f64) {
        if self.count == 0 {
            if self.mode == UNSET_MODE || (self.mode != XOR_MODE && to_decimal(v, u32::from(self.mode)).is_none()) {
                self.mode = first_mode(v);
            }
            self.bits.push(u64::from(self.mode), 4);
            self.bits.push(t as u64, 64);
            self.min_t = t;
            self.value = match to_decimal(v, u32::from(self.mode)) {
                Some(n) if self.mode != XOR_MODE => n as u64,
                _ => v.to_bits(),
            };
            self.bits.push(self.value, 64);
        } else {
            let n = if self.mode == XOR_MODE {
                None
            } else {
                match to_decimal(v, u32::from(self.mode)) {
                    Some(n) => Some(n),
                    None => return self.reencode(t, v),
                }
            };
            let delta = t.wrapping_sub(self.max_t);
            push_dod(&mut self.bits, delta.wrapping_sub(self.delta));
            self.delta = delta;
            match n {
                Some(n) => {
                    let d = n.wrapping_sub(self.value as i64);
                    push_class(&mut self.bits, &VALUE_BITS, d.wrapping_sub(self.value_delta));
                    self.value_delta = d;
                    self.value = n as u64;
                }
                None => {
                    let bits = v.to_bits();
                    self.push_xor(bits ^ self.value);
                    self.value = bits;
                }
            }
        }
        self.max_t = t;
        self.count = self.count.saturating_add(1);
    }

    /// A value the decimal mode cannot hold: everything again, in the mode
    /// all of it fits ([`Appender::from_samples`] picks one that every
    /// value passes, so this does not recurse).
    fn reencode(&mut self, t: i64, v: f64) {
        let mut samples: Vec<(i64, f64)> = Decoder::new(self.bytes(), self.count).collect();
        samples.push((t, v));
        *self = Appender::from_samples(&samples);
    }

    fn push_xor(&mut self, xor: u64) {
        if xor == 0 {
            self.bits.push(0, 1);
            return;
        }
        let leading = xor.leading_zeros().min(63) as u8;
        let trailing = xor.trailing_zeros() as u8;
        if self.leading != NO_WINDOW && leading >= self.leading && trailing >= self.trailing {
            // Fits in the previous window: no need to say where it is.
            self.bits.push(0b10, 2);
            let n = 64 - u32::from(self.leading) - u32::from(self.trailing);
            self.bits.push(xor >> self.trailing, n);
        } else {
            let n = 64 - u32::from(leading) - u32::from(trailing);
            self.bits.push(0b11, 2);
            self.bits.push(u64::from(leading), 6);
            // 1..=64 meaningful bits, stored as 0..=63.
            self.bits.push(u64::from(n - 1), 6);
            self.bits.push(xor >> trailing, n);
            self.leading = leading;
            self.trailing = trailing;
        }
    }
}

/// A closed chunk: its time span beside the bytes, so a window that misses
/// it never decodes it.
#[derive(Clone, Debug)]
pub struct Chunk {
    /// First timestamp.
    pub min_t: i64,
    /// Last timestamp.
    pub max_t: i64,
    count: u32,
    /// Written by [`pack`] rather than by an [`Appender`].
    packed: bool,
    /// Shared, never changed once closed: copying a cluster (a past's
    /// checkpoint) copies no samples.
    data: Arc<[u8]>,
}

impl Chunk {
    /// Closes an appender, giving back the memory it had grown into and
    /// keeping whichever of the XOR and the packed encoding is smaller.
    /// `None` when it holds nothing.
    pub fn close(a: Appender) -> Option<Chunk> {
        let (min_t, max_t) = a.bounds()?;
        let samples: Vec<(i64, f64)> = Decoder::new(a.bytes(), a.count).collect();
        let mut best = (false, a.bits.bytes);
        if a.mode != XOR_MODE {
            let xor = Appender::encode(&samples, XOR_MODE);
            if xor.bits.bytes.len() < best.1.len() {
                best = (false, xor.bits.bytes);
            }
        }
        if let Some(p) = pack(&samples).filter(|p| p.len() < best.1.len()) {
            best = (true, p);
        }
        let (packed, data) = best;
        Some(Chunk { min_t, max_t, count: a.count, packed, data: data.into() })
    }

    /// Its samples in order.
    pub fn iter(&self) -> ChunkIter<'_> {
        if self.packed {
            ChunkIter::Packed(Unpacker::new(&self.data, self.count))
        } else {
            ChunkIter::Xor(Decoder::new(&self.data, self.count))
        }
    }

    /// How many samples it holds.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// Memory held, in bytes (the chunk's own fields are counted by whoever
    /// holds it).
    pub fn data_bytes(&self) -> usize {
        self.data.len()
    }
}

/// A closed chunk's samples, whichever way it was encoded.
#[derive(Clone, Debug)]
pub enum ChunkIter<'a> {
    /// Gorilla's interleaved times and XOR-ed values.
    Xor(Decoder<'a>),
    /// Packed decimal deltas, then the times.
    Packed(Unpacker<'a>),
}

impl Iterator for ChunkIter<'_> {
    type Item = (i64, f64);

    fn next(&mut self) -> Option<(i64, f64)> {
        match self {
            ChunkIter::Xor(d) => d.next(),
            ChunkIter::Packed(u) => u.next(),
        }
    }
}

/// The most decimal places [`pack`] tries.
const MAX_DECIMALS: u32 = 6;

/// Exporters print numbers in decimal (CPU seconds to the hundredth, bytes
/// as whole numbers), and a decimal fraction's float has noise in every
/// mantissa bit, which XOR cannot compress. When every value of a run is
/// exactly `n / 10^k` for integers `n` below 2^53, the `n`s are stored
/// instead: the first, then each delta as an offset from the smallest
/// delta in a fixed width. A counter costs the bits of its jitter, a
/// constant nothing. Values this cannot bring back bit for bit (NaN, the
/// staleness marker, infinities, -0.0) leave the run to XOR.
///
/// Layout: decimals (3 bits), width (7 bits), shift (6 bits), first `n`
/// and smallest delta (64 bits each), the offsets, then the times as in
/// [`Appender`].
fn pack(samples: &[(i64, f64)]) -> Option<Vec<u8>> {
    let (k, ints) = (0..=MAX_DECIMALS).find_map(|k| decimals(samples, k).map(|ints| (k, ints)))?;
    let first = *ints.first()?;
    let deltas: Vec<i64> = ints.windows(2).map(|w| w[1].wrapping_sub(w[0])).collect();
    let min = deltas.iter().copied().min().unwrap_or(0);
    let spread = deltas.iter().map(|d| d.wrapping_sub(min) as u64).max().unwrap_or(0);
    // Memory moves in pages, disks in sectors: zero bits every offset
    // shares at the bottom are not stored.
    let shift = deltas.iter().fold(0u64, |acc, d| acc | d.wrapping_sub(min) as u64).trailing_zeros().min(63);
    let width = 64 - (spread >> shift).leading_zeros();
    let mut bits = BitWriter::default();
    bits.push(u64::from(k), 3);
    bits.push(u64::from(width), 7);
    bits.push(u64::from(shift), 6);
    bits.push(first as u64, 64);
    bits.push(min as u64, 64);
    for d in &deltas {
        bits.push(d.wrapping_sub(min) as u64 >> shift, width);
    }
    let mut prev_t = 0i64;
    let mut prev_delta = 0i64;
    for (i, (t, _)) in samples.iter().enumerate() {
        if i == 0 {
            bits.push(*t as u64, 64);
        } else {
            let delta = t.wrapping_sub(prev_t);
            push_dod(&mut bits, delta.wrapping_sub(prev_delta));
            prev_delta = delta;
        }
        prev_t = *t;
    }
    Some(bits.bytes)
}

/// `10^k` as a float (exact for the `k` used).
fn pow10(k: u32) -> f64 {
    10f64.powi(k as i32)
}

/// The integers `n` with `v == n / 10^k` bit for bit, if every value has one.
fn decimals(samples: &[(i64, f64)], k: u32) -> Option<Vec<i64>> {
    samples.iter().map(|(_, v)| to_decimal(*v, k)).collect()
}

/// The integer `n` with `v == n / 10^k` bit for bit, computed the way the
/// decoders compute it, so -0.0 (which would come back as 0.0), NaN and
/// the infinities have none.
fn to_decimal(v: f64, k: u32) -> Option<i64> {
    if k > MAX_DECIMALS {
        return None;
    }
    let scale = pow10(k);
    let n = (v * scale).round();
    let exact = n.abs() < 9_007_199_254_740_992.0 && ((n as i64) as f64 / scale).to_bits() == v.to_bits();
    exact.then_some(n as i64)
}

/// Decodes what [`pack`] wrote.
#[derive(Clone, Debug)]
pub struct Unpacker<'a> {
    values: BitReader<'a>,
    times: BitReader<'a>,
    left: u32,
    started: bool,
    scale: f64,
    width: u32,
    shift: u32,
    min: i64,
    n: i64,
    t: i64,
    delta: i64,
}

impl<'a> Unpacker<'a> {
    fn new(bytes: &'a [u8], count: u32) -> Self {
        let mut values = BitReader { bytes, pos: 0 };
        let header = (|| {
            let k = values.read(3)? as u32;
            let width = (values.read(7)? as u32).min(64);
            let shift = values.read(6)? as u32;
            let n = values.read(64)? as i64;
            let min = values.read(64)? as i64;
            Some((k, width, shift, n, min))
        })();
        // A header that cannot be read leaves nothing to decode.
        let (k, width, shift, n, min) = header.unwrap_or((0, 0, 0, 0, 0));
        let left = if header.is_some() { count } else { 0 };
        let times_at = values.pos + (count.saturating_sub(1) as usize).saturating_mul(width as usize);
        Unpacker {
            values,
            times: BitReader { bytes, pos: times_at },
            left,
            started: false,
            scale: pow10(k),
            width,
            shift,
            min,
            n,
            t: 0,
            delta: 0,
        }
    }

    fn step(&mut self) -> Option<(i64, f64)> {
        if !self.started {
            self.started = true;
            self.t = self.times.read(64)? as i64;
        } else {
            let dod = read_dod(&mut self.times)?;
            self.delta = self.delta.wrapping_add(dod);
            self.t = self.t.wrapping_add(self.delta);
            let offset = self.values.read(self.width)?.checked_shl(self.shift)? as i64;
            self.n = self.n.wrapping_add(self.min).wrapping_add(offset);
        }
        Some((self.t, self.n as f64 / self.scale))
    }
}

impl Iterator for Unpacker<'_> {
    type Item = (i64, f64);

    fn next(&mut self) -> Option<(i64, f64)> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let out = self.step();
        if out.is_none() {
            self.left = 0;
        }
        out
    }
}

/// Decodes what an [`Appender`] wrote, one sample at a time.
#[derive(Clone, Debug)]
pub struct Decoder<'a> {
    r: BitReader<'a>,
    left: u32,
    started: bool,
    /// `None` for XOR, else `10^k`.
    scale: Option<f64>,
    t: i64,
    delta: i64,
    value: u64,
    value_delta: i64,
    leading: u32,
    trailing: u32,
}

impl<'a> Decoder<'a> {
    /// The `count` samples encoded in `bytes`.
    pub fn new(bytes: &'a [u8], count: u32) -> Self {
        Decoder {
            r: BitReader { bytes, pos: 0 },
            left: count,
            started: false,
            scale: None,
            t: 0,
            delta: 0,
            value: 0,
            value_delta: 0,
            leading: 0,
            trailing: 0,
        }
    }

    fn current(&self) -> (i64, f64) {
        match self.scale {
            Some(scale) => (self.t, self.value as i64 as f64 / scale),
            None => (self.t, f64::from_bits(self.value)),
        }
    }

    fn step(&mut self) -> Option<(i64, f64)> {
        if !self.started {
            self.started = true;
            let mode = self.r.read(4)? as u32;
            self.scale = (mode <= MAX_DECIMALS).then(|| pow10(mode));
            self.t = self.r.read(64)? as i64;
            self.value = self.r.read(64)?;
            return Some(self.current());
        }
        let dod = read_dod(&mut self.r)?;
        self.delta = self.delta.wrapping_add(dod);
        self.t = self.t.wrapping_add(self.delta);
        if self.scale.is_some() {
            let dod = read_class(&mut self.r, &VALUE_BITS)?;
            self.value_delta = self.value_delta.wrapping_add(dod);
            self.value = (self.value as i64).wrapping_add(self.value_delta) as u64;
        } else if self.r.bit()? {
            if self.r.bit()? {
                self.leading = self.r.read(6)? as u32;
                let n = self.r.read(6)? as u32 + 1;
                // A corrupt window would shift past 64 bits: stop instead.
                self.trailing = 64u32.checked_sub(self.leading + n)?;
            }
            let n = 64 - self.leading - self.trailing;
            let xor = self.r.read(n)?.checked_shl(self.trailing)?;
            self.value ^= xor;
        }
        Some(self.current())
    }
}

impl Iterator for Decoder<'_> {
    type Item = (i64, f64);

    fn next(&mut self) -> Option<(i64, f64)> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let out = self.step();
        if out.is_none() {
            self.left = 0;
        }
        out
    }
}

/// The low `n` bits of `raw` as a signed number.
fn sign_extend(raw: u64, n: u32) -> i64 {
    if n >= 64 {
        return raw as i64;
    }
    let shift = 64 - n;
    ((raw << shift) as i64) >> shift
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::promql::storage::STALE_NAN_BITS;

    fn round_trip(samples: &[(i64, f64)]) {
        let a = Appender::from_samples(samples);
        let open: Vec<(i64, f64)> = Decoder::new(a.bytes(), a.len() as u32).collect();
        let Some(chunk) = Chunk::close(a) else {
            assert!(samples.is_empty());
            return;
        };
        let closed: Vec<(i64, f64)> = chunk.iter().collect();
        let bits = |s: &[(i64, f64)]| s.iter().map(|(t, v)| (*t, v.to_bits())).collect::<Vec<_>>();
        assert_eq!(bits(&open), bits(samples));
        assert_eq!(bits(&closed), bits(samples));
        assert_eq!((chunk.min_t, chunk.max_t), (samples[0].0, samples[samples.len() - 1].0));
    }

    #[test]
    fn edge_values_come_back_bit_for_bit() {
        let values = [
            0.0,
            -0.0,
            f64::NAN,
            f64::from_bits(STALE_NAN_BITS),
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            f64::from_bits(1),
            9_007_199_254_740_993.0,
            -9_007_199_254_740_992.0,
            1e300,
            1e-300,
            0.1,
            1.0,
            1.0,
            f64::from_bits(STALE_NAN_BITS),
            f64::NAN,
        ];
        let samples: Vec<(i64, f64)> = values.iter().enumerate().map(|(i, v)| (i as i64 * 15_000, *v)).collect();
        round_trip(&samples);
        round_trip(&samples[..1]);
        round_trip(&[]);
    }

    #[test]
    fn irregular_and_extreme_timestamps_come_back() {
        round_trip(&[(-300_000, 1.0), (-1, 2.0), (0, 3.0), (1, 4.0), (64, 5.0), (1_000_000, 6.0)]);
        round_trip(&[(i64::MIN, 1.0), (-5, 2.0), (i64::MAX, 3.0)]);
        // Deltas of deltas at every class boundary.
        let mut t = 0;
        let mut samples = Vec::new();
        for d in [10, 10 + 63, 10, 10 - 64, 300, 300 + 255, 300 - 256, 5000, 2_000_000_000, 1, 40_000_000_000, 1] {
            t += d;
            samples.push((t, t as f64));
        }
        round_trip(&samples);
    }

    #[test]
    fn a_steady_scrape_packs_tightly() {
        let samples: Vec<(i64, f64)> = (0..120).map(|i| (1_767_258_000_000 + i * 15_000, 42.0)).collect();
        let a = Appender::from_samples(&samples);
        // 16 bytes of header and a mode, the first delta in 37 bits, then two bits a
        // sample.
        assert!(a.bytes().len() <= 16 + 6 + 119 * 2 / 8 + 1, "{}", a.bytes().len());
        round_trip(&samples);
    }

    #[test]
    fn decimal_runs_are_packed_and_come_back_bit_for_bit() {
        // CPU seconds to the hundredth, as node-exporter divides ticks.
        let cpu: Vec<(i64, f64)> = (0..120).map(|i| (i * 15_000, (123_456_700 + i * 1_234) as f64 / 100.0)).collect();
        let a = Appender::from_samples(&cpu);
        let open_len = a.bytes().len();
        let Some(c) = Chunk::close(a) else { panic!("a chunk") };
        assert!(c.packed);
        assert!(c.data_bytes() < open_len, "{} vs {open_len}", c.data_bytes());
        round_trip(&cpu);
        // Whole numbers, negatives, a constant, the largest exact integers,
        // six decimals, and irregular times.
        round_trip(&[(-5, 3.0), (0, -7.0), (7, 1e15), (8, -9_007_199_254_740_991.0)]);
        round_trip(&[(0, 42.0), (15, 42.0), (30, 42.0)]);
        round_trip(&[(0, 0.000_001), (1, -0.123_456), (1_000_000, 5.5)]);
        // Pages: the zero bits every delta shares are not stored.
        let mem: Vec<(i64, f64)> = (0..120).map(|i| (i * 15_000, ((1 << 20) + (i * i) % 97) as f64 * 4096.0)).collect();
        let Some(c) = Chunk::close(Appender::from_samples(&mem)) else { panic!("a chunk") };
        // Eight bits an offset rather than twenty.
        assert!(c.packed && c.data_bytes() < 200, "{}", c.data_bytes());
        round_trip(&mem);
        // Decimal values the packing must refuse, and a single sample.
        round_trip(&[(0, 1.5), (1, -0.0), (2, 2.5)]);
        round_trip(&[(0, 1.5), (1, f64::from_bits(STALE_NAN_BITS)), (2, 2.5)]);
        round_trip(&[(0, 0.1 + 0.2), (1, 1.0 / 3.0)]);
        round_trip(&[(0, 2.25)]);
    }

    #[test]
    fn an_open_chunk_changes_mode_when_a_value_needs_it() {
        let values = [3.0, 4.0, 1.5, 2.25, 1e6, 0.001, f64::from_bits(STALE_NAN_BITS), 7.0, -0.0];
        let samples: Vec<(i64, f64)> = values.iter().enumerate().map(|(i, v)| (i as i64 * 15_000, *v)).collect();
        let mut a = Appender::default();
        for (i, (t, v)) in samples.iter().enumerate() {
            a.push(*t, *v);
            let back: Vec<(i64, u64)> =
                Decoder::new(a.bytes(), a.len() as u32).map(|(t, v)| (t, v.to_bits())).collect();
            let want: Vec<(i64, u64)> = samples[..=i].iter().map(|(t, v)| (*t, v.to_bits())).collect();
            assert_eq!(back, want, "after {i}");
        }
        for i in 1..=samples.len() {
            round_trip(&samples[..i]);
        }
        // A decimal counter stays in decimal mode and packs tightly open.
        let cpu: Vec<(i64, f64)> =
            (0..120).map(|i| (i * 15_000, (123_456_700 + i * 1_234 + i % 7) as f64 / 100.0)).collect();
        let a = Appender::from_samples(&cpu);
        assert!(a.bytes().len() < 120 * 3, "{}", a.bytes().len());
    }

    #[test]
    fn corrupt_bytes_end_the_chunk_without_a_panic() {
        for junk in [vec![0xffu8; 40], vec![0u8; 3], vec![]] {
            assert!(Unpacker::new(&junk, 100).count() < 100);
        }
        let junk = [0xffu8; 40];
        let n = Decoder::new(&junk, 100).count();
        assert!(n < 100);
        assert_eq!(Decoder::new(&[], 3).count(), 0);
    }
}
