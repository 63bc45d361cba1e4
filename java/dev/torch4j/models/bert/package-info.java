/**
 * BERT as Hugging Face's {@code modeling_bert.py}: {@link dev.torch4j.models.bert.BertConfig} (config.json
 * field names), {@link dev.torch4j.models.bert.BertModel} (state-dict keys as Hugging Face's; loads
 * safetensors checkpoints, sharded or not, and ONNX exports), {@link dev.torch4j.models.bert.BertForSequenceClassification},
 * and sentence embeddings ({@link dev.torch4j.models.bert.Pooling}, {@link dev.torch4j.models.bert.SentenceEmbedder},
 * including the bundled all-MiniLM-L6-v2).
 */
package dev.torch4j.models.bert;
