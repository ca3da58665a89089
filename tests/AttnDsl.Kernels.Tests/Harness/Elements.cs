using System;
using System.Runtime.CompilerServices;

namespace AttnDsl.Kernels.Tests.Harness
{
    /// <summary>
    /// Conversions between float and the kernels' element types. Inputs are rounded to the element
    /// type before the reference sees them (half -> float and bfloat16 -> float are exact, as in the
    /// kernels' loads), so the reference and the kernel compute on the same numbers and only the
    /// kernel's arithmetic and its output rounding differ. float -> half goes through
    /// <see cref="HalfConversion"/> (round to nearest even; ILGPU.Half's own cast truncates on the CPU),
    /// float -> bfloat16 through <see cref="BFloat16.FromSingle"/>.
    /// </summary>
    public static class Elements
    {
        public static ElementType TypeOf<T>()
            where T : unmanaged
        {
            if (typeof(T) == typeof(float)) return ElementType.Float32;
            if (typeof(T) == typeof(ILGPU.Half) || typeof(T) == typeof(System.Half)) return ElementType.Float16;
            if (typeof(T) == typeof(BFloat16)) return ElementType.BFloat16;
            throw new NotSupportedException(typeof(T).FullName);
        }

        public static T FromFloat<T>(float value)
            where T : unmanaged
        {
            if (typeof(T) == typeof(float))
                return Unsafe.As<float, T>(ref value);
            if (typeof(T) == typeof(ILGPU.Half) || typeof(T) == typeof(System.Half))
            {
                // System.Half and ILGPU.Half have the same bits.
                ushort bits = HalfConversion.ToBits(value);
                return Unsafe.As<ushort, T>(ref bits);
            }
            if (typeof(T) == typeof(BFloat16))
            {
                var b = BFloat16.FromSingle(value);
                return Unsafe.As<BFloat16, T>(ref b);
            }
            throw new NotSupportedException(typeof(T).FullName);
        }

        public static float ToFloat<T>(T value)
            where T : unmanaged
        {
            if (typeof(T) == typeof(float))
                return Unsafe.As<T, float>(ref value);
            if (typeof(T) == typeof(ILGPU.Half) || typeof(T) == typeof(System.Half))
                return (float)Unsafe.As<T, ILGPU.Half>(ref value);
            if (typeof(T) == typeof(BFloat16))
                return Unsafe.As<T, BFloat16>(ref value).ToSingle();
            throw new NotSupportedException(typeof(T).FullName);
        }

        /// <summary>The value the kernel reads after <paramref name="value"/> is stored as <typeparamref name="T"/>.</summary>
        public static float Round<T>(float value)
            where T : unmanaged => ToFloat(FromFloat<T>(value));

        public static T[] FromFloats<T>(float[] values)
            where T : unmanaged
        {
            var result = new T[values.Length];
            for (int i = 0; i < values.Length; i++)
                result[i] = FromFloat<T>(values[i]);
            return result;
        }

        public static float[] ToFloats<T>(T[] values)
            where T : unmanaged
        {
            var result = new float[values.Length];
            for (int i = 0; i < values.Length; i++)
                result[i] = ToFloat(values[i]);
            return result;
        }
    }
}
