using System;
using System.Globalization;

namespace AttnDsl
{
    /// <summary>
    /// bfloat16: the upper 16 bits of an IEEE single. Conversions round to nearest even and are
    /// kernel-safe (ILGPU has no bfloat16 type of its own).
    /// </summary>
    public readonly struct BFloat16 : IEquatable<BFloat16>, IComparable<BFloat16>, IFormattable
    {
        /// <summary>Creates a value from its raw bits.</summary>
        public BFloat16(ushort rawValue) => RawValue = rawValue;

        /// <summary>The raw 16 bits.</summary>
        public ushort RawValue { get; }

        public static BFloat16 Zero => default;

        /// <summary>Widens exactly to a single.</summary>
        public float ToSingle() => ILGPU.Interop.IntAsFloat((uint)RawValue << 16);

        /// <summary>Narrows a single, rounding to nearest even; NaN stays NaN.</summary>
        public static BFloat16 FromSingle(float value)
        {
            uint bits = ILGPU.Interop.FloatAsInt(value);
            if ((bits & 0x7FFFFFFFu) > 0x7F800000u)
                return new BFloat16((ushort)((bits >> 16) | 0x0040u));
            uint lsb = (bits >> 16) & 1u;
            bits += 0x7FFFu + lsb;
            return new BFloat16((ushort)(bits >> 16));
        }

        public static implicit operator float(BFloat16 value) => value.ToSingle();

        public static explicit operator BFloat16(float value) => FromSingle(value);

        public static explicit operator BFloat16(double value)
        {
            // Round once: make the intermediate float round-to-odd, so the second rounding cannot
            // land on a midpoint the double was not on.
            float f = (float)value;
            if (!float.IsNaN(f) && !float.IsInfinity(f) && f != value)
            {
                uint bits = ILGPU.Interop.FloatAsInt(f);
                if ((bits & 1u) == 0)
                    bits = Math.Abs((double)f) < Math.Abs(value) ? bits + 1 : bits - 1;
                f = ILGPU.Interop.IntAsFloat(bits);
            }
            return FromSingle(f);
        }

        public bool Equals(BFloat16 other) => RawValue == other.RawValue;

        public override bool Equals(object? obj) => obj is BFloat16 other && Equals(other);

        public override int GetHashCode() => RawValue;

        public int CompareTo(BFloat16 other) => ToSingle().CompareTo(other.ToSingle());

        public static bool operator ==(BFloat16 left, BFloat16 right) => left.Equals(right);

        public static bool operator !=(BFloat16 left, BFloat16 right) => !left.Equals(right);

        public override string ToString() => ToSingle().ToString(CultureInfo.InvariantCulture);

        public string ToString(string? format, IFormatProvider? formatProvider) => ToSingle().ToString(format, formatProvider);
    }
}
