namespace AttnDsl.CodeFixes
{
    /// <summary>
    /// The ids of the rules these fixes handle (declared in src/Shared/Roslyn/SpecDescriptors.cs). The
    /// fixes match diagnostics by id and read everything else from the syntax, so this assembly needs
    /// nothing from the analyzer assembly.
    /// </summary>
    internal static class DiagnosticIds
    {
        public const string SpecClassShape = "ATTN1001";
        public const string InvalidHeadDim = "ATTN1002";
        public const string InvalidBlock = "ATTN1003";
        public const string RightWindowUnderCausal = "ATTN1007";
        public const string QuantizedHeadDim = "ATTN1019";
    }
}
