namespace AttnDsl.Generators
{
    /// <summary>Names of the incremental steps, for tests that check caching.</summary>
    internal static class TrackingNames
    {
        public const string Spec = "AttnDsl.Spec";
        public const string AnySpec = "AttnDsl.AnySpec";
    }
}
